"""Documents from case data: .docx templates of letters and filings, and PDFs."""
