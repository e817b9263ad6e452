"""Public verification of trade documents: anyone may ask whether a document is financed here."""
