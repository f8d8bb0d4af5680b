"""S-Ray's ScanNet scene lists (configs/scannetv2_{train,test}_split.txt; GP-NeRF ships identical files)."""

SCANNET_TRAIN_SCENES: tuple[str, ...] = (
    "scene0000_00", "scene0002_00", "scene0003_00", "scene0004_00", "scene0005_00", "scene0006_00",
    "scene0007_00", "scene0008_00", "scene0009_00", "scene0010_00", "scene0011_00", "scene0012_00",
    "scene0013_00", "scene0014_00", "scene0015_00", "scene0016_00", "scene0017_00", "scene0018_00",
    "scene0019_00", "scene0020_00", "scene0021_00", "scene0022_00", "scene0023_00", "scene0024_00",
    "scene0025_00", "scene0026_00", "scene0027_00", "scene0028_00", "scene0029_00", "scene0030_00",
    "scene0031_00", "scene0032_00", "scene0033_00", "scene0034_00", "scene0035_00", "scene0036_00",
    "scene0037_00", "scene0038_00", "scene0039_00", "scene0040_00", "scene0041_00", "scene0042_00",
    "scene0043_00", "scene0044_00", "scene0045_00", "scene0046_00", "scene0047_00", "scene0048_00",
    "scene0049_00", "scene0050_00", "scene0051_00", "scene0052_00", "scene0053_00", "scene0054_00",
    "scene0055_00", "scene0056_00", "scene0057_00", "scene0058_00", "scene0059_00", "scene0060_00",
    "scene0061_00", "scene0062_00", "scene0063_00", "scene0064_00", "scene0065_00", "scene0066_00",
    "scene0067_00", "scene0068_00", "scene0069_00", "scene0070_00", "scene0071_00", "scene0072_00",
    "scene0073_00", "scene0074_00", "scene0075_00", "scene0076_00", "scene0077_00", "scene0078_00",
    "scene0079_00", "scene0080_00", "scene0081_00", "scene0082_00", "scene0083_00", "scene0084_00",
    "scene0085_00", "scene0086_00", "scene0087_00", "scene0088_00", "scene0089_00", "scene0090_00",
    "scene0091_00", "scene0092_00", "scene0093_00", "scene0094_00", "scene0095_00", "scene0096_00",
    "scene0097_00", "scene0098_00", "scene0099_00", "scene0100_00", "scene0101_00", "scene0102_00",
    "scene0103_00", "scene0104_00", "scene0105_00", "scene0106_00", "scene0107_00", "scene0108_00",
    "scene0109_00", "scene0110_00", "scene0111_00", "scene0112_00", "scene0113_00", "scene0114_00",
    "scene0115_00", "scene0116_00", "scene0117_00", "scene0118_00", "scene0119_00", "scene0120_00",
    "scene0121_00", "scene0122_00", "scene0123_00", "scene0124_00", "scene0125_00", "scene0126_00",
    "scene0127_00", "scene0128_00", "scene0129_00", "scene0130_00", "scene0131_00", "scene0132_00",
    "scene0133_00", "scene0134_00", "scene0135_00", "scene0136_00", "scene0137_00", "scene0138_00",
    "scene0139_00", "scene0140_00", "scene0141_00", "scene0142_00", "scene0143_00", "scene0144_00",
    "scene0145_00", "scene0146_00", "scene0147_00", "scene0148_00", "scene0149_00", "scene0150_00",
    "scene0151_00", "scene0152_00", "scene0153_00", "scene0154_00", "scene0155_00", "scene0156_00",
    "scene0157_00", "scene0158_00", "scene0159_00", "scene0161_00", "scene0162_00", "scene0163_00",
    "scene0164_00", "scene0165_00", "scene0166_00", "scene0167_00", "scene0168_00", "scene0169_00",
    "scene0170_00", "scene0171_00", "scene0172_00", "scene0173_00", "scene0174_00", "scene0175_00",
    "scene0176_00", "scene0177_00", "scene0178_00", "scene0179_00", "scene0180_00", "scene0181_00",
    "scene0182_00", "scene0183_00", "scene0184_00", "scene0185_00", "scene0186_00", "scene0187_00",
    "scene0188_00", "scene0189_00", "scene0190_00", "scene0191_00", "scene0192_00", "scene0193_00",
    "scene0194_00", "scene0195_00", "scene0196_00", "scene0197_00", "scene0198_00", "scene0199_00",
)
"""198 training scenes: scene0000_00 .. scene0199_00 without scene0001_00 and scene0160_00."""

SCANNET_TEST_SCENES: tuple[str, ...] = (
    "scene0160_00", "scene0204_00", "scene0211_00", "scene0217_00", "scene0218_00", "scene0225_00",
    "scene0227_00", "scene0340_01", "scene0376_02", "scene0643_00",
)
"""The 10 test scenes."""

SCANNET_FINETUNE_SCENE: str = "scene0376_02"
"""The single-scene fine-tuning benchmark scene."""
