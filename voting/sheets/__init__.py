"""Tally sheets (计票单): the printable page, PDF/XLSX/CSV files and charts, all from the stored signed sheet."""
