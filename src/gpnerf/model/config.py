"""Frozen configuration dataclasses for the GP-NeRF model and its losses, plus ``PRESETS``.

Every paper-vs-released-code difference is one field here; the paper's choice is the default and
the ``released-code`` preset flips each switch. Derived widths (``d_sem``, the positional-encoding
width, the channel-repeat factor) are properties, never declared twice. See docs/model.md.
"""

from dataclasses import dataclass, field, replace
from typing import Literal


@dataclass(frozen=True)
class EncoderConfig:
    """Multi-Scale Feature Extractor (paper Sec. 4.1): ResNet (BasicBlocks) + FPN + radiance decoder."""

    stem_channels: int = 64
    """Output channels of the 7x7 stride-2 stem convolution."""
    stage_channels: tuple[int, ...] = (64, 128, 256, 512)
    """Width of each ResNet stage; every stage starts with a stride-2 block (no max-pool)."""
    stage_blocks: tuple[int, ...] = (3, 4, 6, 3)
    """BasicBlocks per stage; (3, 4, 6, 3) is ResNet-34."""
    norm: Literal["instance", "batch", "group"] = "instance"
    """Normalisation after every encoder convolution (released: affine instance norm)."""
    num_fpn_levels: int = 4
    """FPN levels, taken from the last ``num_fpn_levels`` maps of [stem, stage 1, ...]."""
    d_fpn: int = 128
    """Channels of each FPN level; ``d_sem = num_fpn_levels * d_fpn``."""
    rgb_decoder_top_stage: int = 2
    """0-based stage the radiance (U-Net style) decoder starts from; it ends at stage 0's scale."""
    d_rgb_features: int = 32
    """Channels of the radiance feature map F^rgb (before the image RGB is appended)."""
    detach_rgb_decoder_input: bool = False
    """Released quirk: the decoder input stage is detached, so L_rgb cannot update that stage."""

    def __post_init__(self) -> None:
        if len(self.stage_channels) != len(self.stage_blocks) or not self.stage_channels:
            raise ValueError(
                f"encoder.stage_channels and encoder.stage_blocks must be non-empty and of equal length; "
                f"got {self.stage_channels} and {self.stage_blocks}. Give one block count per stage."
            )
        if not 1 <= self.num_fpn_levels <= len(self.stage_channels) + 1:
            raise ValueError(
                f"encoder.num_fpn_levels must lie in [1, {len(self.stage_channels) + 1}] (stem + stages); "
                f"got {self.num_fpn_levels}. Lower it or add stages."
            )
        if not 0 <= self.rgb_decoder_top_stage < len(self.stage_channels):
            raise ValueError(
                f"encoder.rgb_decoder_top_stage must index a stage in [0, {len(self.stage_channels) - 1}]; "
                f"got {self.rgb_decoder_top_stage}."
            )

    @property
    def d_sem(self) -> int:
        """Width of the concatenated semantic feature map F^sem."""
        return self.num_fpn_levels * self.d_fpn

    @property
    def fpn_taps(self) -> tuple[int, ...]:
        """Indices into [stem, stage 1, ...] of the maps the FPN uses, finest first."""
        num_maps = len(self.stage_channels) + 1
        return tuple(range(num_maps - self.num_fpn_levels, num_maps))

    @property
    def semantic_stride(self) -> int:
        """Downsampling factor of F^sem w.r.t. the image (stem and every stage halve)."""
        return 2 ** (self.fpn_taps[0] + 1)


@dataclass(frozen=True)
class TransformerConfig:
    """GNT-style stack of Field-Aggregation (Alg. 1) and Ray-Aggregation (Alg. 2) transformers."""

    d_rgb: int = 64
    """D_rgb: width of the radiance tokens (released ``netwidth``)."""
    num_layers: int = 8
    """Number of FAT+RAT layer pairs (released ``trans_depth``)."""
    num_heads: int = 4
    """Heads of the RAT multi-head self-attention; head h drives semantic channel group h (Eq. 7)."""
    ff_multiplier: int = 4
    """Feed-forward hidden width = ff_multiplier * d_rgb."""
    d_pos_hidden: int = 8
    """Hidden width of f_P, the relative-direction MLP (4 -> hidden -> d_rgb)."""
    d_attn_hidden: int = 8
    """Hidden width of f_A, the vector-attention MLP (d_rgb -> hidden -> d_rgb)."""
    dropout: float = 0.1
    """Dropout on attention maps and feed-forward outputs (GNT)."""
    q_fc_every: int = 2
    """Layer i re-injects PE(x), PE(d) through a q_fc when i % q_fc_every == 0 (released: even layers)."""
    fat_values_from: Literal["features", "keys"] = "features"
    """Alg. 1 line 1: V = f_V(X_rgb) (paper) or V = f_V(f_K(X_rgb)) (released GNT quirk)."""
    num_frequencies: int = 10
    """Positional-encoding frequencies 2^0 .. 2^(F-1) for xyz and the view direction."""

    def __post_init__(self) -> None:
        if self.d_rgb % self.num_heads != 0:
            raise ValueError(
                f"transformer.d_rgb ({self.d_rgb}) must be divisible by transformer.num_heads "
                f"({self.num_heads}); got remainder {self.d_rgb % self.num_heads}. Change either."
            )
        if self.num_layers < 1 or self.q_fc_every < 1:
            raise ValueError(
                f"transformer.num_layers and q_fc_every must be >= 1; got {self.num_layers}, {self.q_fc_every}."
            )

    @property
    def d_posenc(self) -> int:
        """Width of the NeRF positional encoding of a 3-vector (input included)."""
        return 3 + 3 * 2 * self.num_frequencies


@dataclass(frozen=True)
class SemanticConfig:
    """Semantic path: shared attention, gradient block, perception head, S_fused, baseline."""

    mode: Literal["perception_head", "label_rendering"] = "perception_head"
    """GP-NeRF (rendered features -> context-aware head) or the label-rendering baseline."""
    fat_add_pos: bool = True
    """Alg. 1 line 9: (X_sem + P') A' (paper) or X_sem A' without +P' (released)."""
    attention: Literal["joint", "frozen"] = "joint"
    """Table 4: attention maps jointly optimised by the semantic losses, or detached where the
    semantic path uses them (ID 1)."""
    gradient_block: bool = True
    """Detach source semantic features before rendering so L_SD / L_DGS never reach the encoder."""
    adaptor: Literal["linear", "linear_relu"] = "linear"
    """The MLP of Eq. 7 on the rendered feature: Linear (paper default, signed like the teacher)
    or Linear + ReLU (released ``semantic_adaptor``)."""
    head: Literal["unet", "semantic_fpn"] = "unet"
    """Context-aware perception head: U-Net decoder of Eq. 3 (paper) or Semantic-FPN (released)."""
    head_combine: Literal["add", "concat"] = "add"
    """U-Net: combine part i with the up-convolved previous output by addition (Eq. 3) or concat (text)."""
    d_head: int = 128
    """Hidden channels of the perception head."""
    head_training: Literal["fused", "gt_only"] = "fused"
    """Head input in training: S_fused (Fig. 3a, paper) or the target's extracted features only (released)."""


@dataclass(frozen=True)
class SamplingConfig:
    """Points along each target ray (coarse + importance), shared by every pass."""

    num_coarse: int = 48
    """Coarse samples per ray."""
    num_importance: int = 16
    """Extra samples drawn from the coarse weights; 0 = one pass over the coarse samples only."""
    spacing: Literal["inverse_depth", "linear"] = "inverse_depth"
    """Samples uniform in 1/t (released) or in t."""
    depth_weights: Literal["first_row", "mean_rows"] = "first_row"
    """Which RAT attention gives the per-point "weights" (depth, importance sampling, label
    rendering): last layer, averaged over heads, row of query point 0 (released) or mean over rows."""

    def __post_init__(self) -> None:
        if self.num_coarse < 1 or self.num_importance < 0:
            raise ValueError(
                f"sampling.num_coarse must be >= 1 and num_importance >= 0; got "
                f"{self.num_coarse}, {self.num_importance}."
            )


@dataclass(frozen=True)
class LossWeights:
    """alpha_1..alpha_4 of Eq. 8. The paper gives no values; the defaults are the released ScanNet
    config's effective weights (L_sem counted twice there, hence 1.5 = 2 x 0.75)."""

    rgb: float = 0.25
    """alpha_1, photometric loss L_rgb (Eq. 9), applied to coarse + fine."""
    sem: float = 1.5
    """alpha_2, semantic cross-entropy L_sem (Eq. 10)."""
    distill_2d: float = 0.25
    """alpha_3, 2D semantic distillation L_SD (Eq. 11)."""
    distill_dgs: float = 0.25
    """alpha_4, depth-guided semantic distillation L_DGS (Eq. 12-13)."""


@dataclass(frozen=True)
class LossConfig:
    """Loss weights and the depth-guided distillation's variant."""

    weights: LossWeights = field(default_factory=LossWeights)
    dgs_depth_source: Literal["gt", "attention_argmax"] = "gt"
    """x_d of Eq. 13 from ground-truth depth (paper) or the argmax of the attention weights (released)."""
    dgs_repel: bool = True
    """Eq. 13's second case, max(0, cos) for far points (paper); the released code has none."""
    dgs_window: float = 2.0
    """N_p of Eq. 13."""
    dgs_window_units: Literal["samples", "metres"] = "samples"
    """|x_i - x_d| in sample-index units (default) or metric distance along the ray."""


@dataclass(frozen=True)
class ModelConfig:
    """Everything the GPNeRF module and compute_losses need; the class count comes from the data."""

    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    transformer: TransformerConfig = field(default_factory=TransformerConfig)
    semantic: SemanticConfig = field(default_factory=SemanticConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    implementation: Literal["reference", "fast"] = "reference"
    """Transformer code path: ``reference`` (per-layer semantic aggregation, as documented in
    docs/model.md) or ``fast`` (the algebraically folded semantic path and bf16-friendly softmax of
    docs/performance.md; same function, tested equal to fp32 rounding)."""
    fused_kernels: bool = True
    """``fast`` only, on CUDA with Triton: at inference (no autograd, no attention dropout) each FAT block's
    per-view work runs as one Triton kernel (:mod:`gpnerf.model.fused_field_attention`), so does each RAT block's
    norm, projections and attention, which returns the map's column means and first row instead of the map
    (:mod:`gpnerf.model.fused_ray_attention`), and so does each block's tail (out_fc, norm, feed-forward;
    :mod:`gpnerf.model.fused_feed_forward`) and the stack's input embedding (``rgbfeat_fc`` and the max over views;
    :mod:`gpnerf.model.fused_embedding`), and the detached
    semantic maps are sampled by one kernel (:mod:`gpnerf.model.fused_feature_sampling`; in training too,
    with the gradient block), or at inference without the semantic field sampled and contracted with the
    semantic fold's weights on chip; at inference the RGB tokens are sampled by it too. The sample points are
    projected into the source views by one kernel (:mod:`gpnerf.model.fused_projection`; in training too), and at
    inference the q_fcs' PE(x) terms come from one (:mod:`gpnerf.model.fused_position_terms`). In training the
    transformer's dropout layers draw their keep decisions from one kernel (:mod:`gpnerf.model.fused_dropout`: the
    same distribution, another random stream). The CPU and the reference path keep the PyTorch ops. Same function
    to bf16 rounding (docs/performance.md, sections 8, 9, 11, 12, 14 and 16)."""
    float32_kernels: bool = False
    """``fast`` with ``fused_kernels``: also compute in the kernels with matrix products (FAT, RAT, block tails,
    embedding, PE(x) terms) where their products would be float32 (no bf16 autocast), as exact float32 products
    without tensor cores. Off, such a pass takes the PyTorch ops for those five (cuBLAS) and keeps the other
    kernels: on an H100 the float32 kernels' first render compiled for minutes or crashed Triton 3.6
    (docs/performance.md section 36); bf16 passes take every kernel either way."""
    shared_casts: bool = True
    """``fast`` only, in training under autocast: the transformer's ``Linear`` weights and biases are cast to the
    autocast dtype once per step, one copy per pass, and their gradients summed in float32, each in a few launches,
    instead of cast and un-cast inside every compiled block (:mod:`gpnerf.model.shared_casts`; a few elementwise
    uses of them then run in bf16; the other parameters, LayerNorm's, get float32 copies so their two passes'
    gradients are summed the same way; off with activation checkpointing, whose recomputation would not see the
    copies; docs/performance.md section 17)."""
    redraw_dropout_masks: bool = True
    """``fast`` with ``fused_kernels``, in training where the keep-mask kernel runs: each dropout layer's backward
    draws its keep mask again from the seed (one more kernel per layer) instead of keeping the mask's bytes from the
    forward to the backward (:class:`gpnerf.model.fused_dropout.RedrawnMaskDropout`; the same masks, so the same
    function and gradients). The graphed step of ``paper-scannet`` reserves 0.71 GiB less in the same time
    (docs/performance.md section 16)."""
    activation_checkpointing: bool = False
    """Training only: recompute each FAT/RAT layer's activations in backward, keeping only its
    outputs (less memory, one more transformer forward per step; same function)."""

    def __post_init__(self) -> None:
        d_sem, d_rgb, heads = self.encoder.d_sem, self.transformer.d_rgb, self.transformer.num_heads
        if d_sem % d_rgb != 0:
            raise ValueError(
                f"d_sem ({d_sem} = encoder.num_fpn_levels x encoder.d_fpn) must be divisible by "
                f"transformer.d_rgb ({d_rgb}) for the shared FAT attention (Alg. 1 line 5); got "
                f"remainder {d_sem % d_rgb}. Change encoder.d_fpn or transformer.d_rgb."
            )
        if self.implementation not in ("reference", "fast"):
            raise ValueError(f"implementation must be 'reference' or 'fast'; got {self.implementation!r}.")
        if d_sem % heads != 0:
            raise ValueError(
                f"d_sem ({d_sem}) must be divisible by transformer.num_heads ({heads}) for the shared "
                f"RAT attention (Eq. 7); got remainder {d_sem % heads}. Change encoder.d_fpn or num_heads."
            )

    @property
    def repeat_factor(self) -> int:
        """Semantic channels driven by one FAT attention channel (Alg. 1 line 5): d_sem / d_rgb."""
        return self.encoder.d_sem // self.transformer.d_rgb


PAPER_SCANNET = ModelConfig()

PRESETS: dict[str, ModelConfig] = {
    "paper-scannet": PAPER_SCANNET,
    "paper-replica": replace(
        PAPER_SCANNET, loss=LossConfig(weights=LossWeights(distill_2d=0.5, distill_dgs=0.5))
    ),
    "released-code": ModelConfig(
        encoder=EncoderConfig(stage_channels=(64, 128, 256), stage_blocks=(3, 4, 6), detach_rgb_decoder_input=True),
        transformer=TransformerConfig(fat_values_from="keys"),
        semantic=SemanticConfig(
            fat_add_pos=False, adaptor="linear_relu", head="semantic_fpn", head_training="gt_only"
        ),
        loss=LossConfig(dgs_depth_source="attention_argmax", dgs_repel=False),
    ),
    "tiny-cpu": ModelConfig(
        encoder=EncoderConfig(
            stem_channels=8, stage_channels=(8, 16, 32), stage_blocks=(1, 1, 1), d_fpn=8,
            rgb_decoder_top_stage=1, d_rgb_features=8,
        ),
        transformer=TransformerConfig(d_rgb=16, num_layers=2, num_heads=2, dropout=0.0, num_frequencies=4),
        semantic=SemanticConfig(d_head=16),
        sampling=SamplingConfig(num_coarse=16, num_importance=8),
    ),
}
"""Named configurations; `gpnerf model --preset NAME` summarises each."""

TABLE4_IDS = (1, 2, 3, 4, 5)


def table4_config(base: ModelConfig, ablation_id: int) -> ModelConfig:
    """The configuration of paper Table 4 row ``ablation_id`` built on ``base``.

    ID 1: frozen attention, no L_SD, no gradient block, no L_DGS; ID 2: jointly optimised attention;
    ID 3: + L_SD (no gradient block); ID 4: + gradient block; ID 5: + L_DGS (the full model).
    L_SD / L_DGS are switched off by a zero weight; when on, they take ``base``'s weights.
    """
    if ablation_id not in TABLE4_IDS:
        raise ValueError(f"ablation_id must be one of {TABLE4_IDS} (paper Table 4); got {ablation_id}.")
    weights = base.loss.weights
    semantic = replace(
        base.semantic,
        attention="frozen" if ablation_id == 1 else "joint",
        gradient_block=ablation_id >= 4,
    )
    weights = replace(
        weights,
        distill_2d=weights.distill_2d if ablation_id >= 3 else 0.0,
        distill_dgs=weights.distill_dgs if ablation_id >= 5 else 0.0,
    )
    return replace(base, semantic=semantic, loss=replace(base.loss, weights=weights))
