"""Trade finance: invoices and electronic bills of lading that back an application, financed once only."""
