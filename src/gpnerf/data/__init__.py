"""Scene data: label spaces, dataset formats, view selection and ray batches."""
