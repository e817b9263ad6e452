"""Valid input shared by the bad-input and race tests, which change one field or send it at once."""

COMPANY = {
    "legal_name_en": "Nansha Drones Limited",
    "legal_name_zh": "",
    "jurisdiction": "HK",
    "registration_number": "76543210",
    "industry": "robotics",
}
PROFILE = {"annual_revenue": "12000000", "employees": "40", "years_trading": "6"}
PERSON = {
    "full_name": "Chan Tai Man",
    "nationality": "HK",
    "residency": "HK",
    "birth_date": "1975-03-01",
    "is_director": "on",
    "ownership_percent": "60",
}
KYC = {
    "investor_type": "individual",
    "legal_name": "Ivy Chan",
    "country": "HK",
    "residency": "HK",
    "id_document_number": "A1234567",
    "declared_portfolio_hkd": "9000000",
}
