"""Word lists for people and team names (international, so exports carry UTF-8)."""

from __future__ import annotations

import unicodedata

FIRST_NAMES = (
    "Emma", "Liam", "Olivia", "Noah", "Sofia", "Lucas", "Mia", "Mateo", "Chloé", "Jonas",
    "Aisha", "Omar", "Priya", "Arjun", "Mei", "Hiroshi", "Yuki", "Sven", "Ingrid", "Łukasz",
    "Zofia", "José", "Lucía", "François", "Amélie", "Jürgen", "Anneke", "Pieter", "Siobhán",
    "Connor", "Fatima", "Karim", "Elena", "Dmitri", "Ana", "João", "Björn", "Astrid",
    "Grace", "Samuel", "Hannah", "Daniel", "Leila", "Tomás", "Nadia", "Kofi", "Ama",
    "Wei", "Jin", "Seo-yeon", "Min-jun", "Rahul", "Ananya", "Chen", "Laura", "Marco",
    "Giulia", "Henrik", "Maja", "Oscar",
)
LAST_NAMES = (
    "Smith", "Johnson", "Müller", "Schmidt", "García", "Martínez", "Rossi", "Bianchi",
    "Dubois", "Lefèvre", "Nowak", "Kowalski", "Jansen", "de Vries", "Andersson", "Nilsson",
    "Hansen", "Sørensen", "O'Brien", "Murphy", "Kim", "Park", "Tanaka", "Suzuki", "Wang",
    "Li", "Zhang", "Patel", "Sharma", "Singh", "Khan", "Hassan", "Okafor", "Mensah",
    "Silva", "Santos", "Costa", "Ivanova", "Petrov", "Novák", "Horváth", "Kovač", "Y\u0131lmaz",
    "Demir", "Cohen", "Levi", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Wright",
    "Thompson", "Evans", "Roberts", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann",
)
TEAM_WORDS = (
    "Harbor & Finch", "Northgate", "Kestrel", "Bluewater", "Ironwood", "Summit", "Cedar",
    "Granite Peak", "Meridian", "Silverline", "Redstone", "Oakridge", "Lakeside",
    "Pinecrest", "Riverside", "Stonebridge", "Westfield", "Brightwater", "Highland",
    "Copperleaf", "Falcon", "Evergreen", "Larkspur", "Sterling", "Aurora", "Beacon",
    "Crescent", "Driftwood", "Elmstead", "Foxglove", "Greystone", "Hawthorne",
)
DEPARTMENTS = {
    "architecture": ("Architects", "Design Studio", "Architecture"),
    "infrastructure": ("Civil", "Infrastructure", "Transport"),
    "manufacturing": ("Manufacturing", "Product Engineering", "Machinery"),
    "structural": ("Structures", "Steel Detailing", "Structural Engineering"),
    "media": ("Studios", "Visual Effects", "Animation"),
}
CITIES = (
    "London", "Berlin", "Paris", "Madrid", "Milan", "Warsaw", "Amsterdam", "Stockholm",
    "Oslo", "Dublin", "Toronto", "Chicago", "Denver", "Austin", "Seattle", "Boston",
    "Singapore", "Tokyo", "Seoul", "Sydney", "Melbourne", "Mumbai", "Dubai", "São Paulo",
)


def ascii_slug(text: str, sep: str = "-") -> str:
    """Lower-case ASCII words joined by `sep`: for e-mail addresses and file names."""
    # Letters NFKD does not split into a base letter and an accent.
    text = text.translate(str.maketrans({"\u0131": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O",
                                         "ß": "ss", "đ": "d"}))
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in plain.lower()).split()
    return sep.join(words)
