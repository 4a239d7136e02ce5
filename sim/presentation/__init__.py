"""Words and fonts shared by figures, dashboard and reports: bilingual labels and texts, the CJK font."""
