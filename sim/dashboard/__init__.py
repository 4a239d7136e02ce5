"""The teaching dashboard (Solara page), offline and bilingual."""
