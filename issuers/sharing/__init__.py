"""Data sharing by consent (issue 12, item 3): an SME grants a named investor access to chosen datasets
for a purpose and a period; every shared read goes through one gate (`services.shared_dataset`) and is
logged; a consent is revocable at once. The models are registered through `issuers/models.py`.
"""
