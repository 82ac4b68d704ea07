"""Presentation: formatting, tables, charts, glued text and each chapter's sections."""
