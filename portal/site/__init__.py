"""Public pages that present the business."""
