"""Autodesk products available with Flex, their daily token rates, and pack sizes.

Rates are tokens charged per user per product per 24 hours, as in Autodesk's Flex rate
sheet (rounded to the published whole numbers; Autodesk revises them now and then).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    name: str
    rate: int
    # Fusion is a cloud product updated monthly: its usage rows carry no year version.
    versioned: bool = True


PRODUCTS: tuple[Product, ...] = (
    Product("AutoCAD", 7),
    Product("AutoCAD LT", 3),
    Product("Revit", 10),
    Product("Revit LT", 3),
    Product("Civil 3D", 10),
    Product("3ds Max", 10),
    Product("Maya", 10),
    Product("Inventor Professional", 10),
    Product("Fusion", 7, versioned=False),
    Product("Navisworks Manage", 10),
    Product("Navisworks Simulate", 4),
    Product("Advance Steel", 10),
    Product("InfraWorks", 7),
    Product("ReCap Pro", 3),
    Product("Arnold", 3),
    Product("MotionBuilder", 9),
    Product("Mudbox", 2),
)
PRODUCT_INDEX = {p.name: i for i, p in enumerate(PRODUCTS)}

# Which products a team of each discipline uses, with their share of users' main product.
DISCIPLINES: dict[str, dict[str, float]] = {
    "architecture": {
        "Revit": 0.45, "AutoCAD": 0.2, "AutoCAD LT": 0.1, "Revit LT": 0.05,
        "Navisworks Manage": 0.1, "ReCap Pro": 0.05, "3ds Max": 0.05,
    },
    "infrastructure": {
        "Civil 3D": 0.4, "AutoCAD": 0.25, "InfraWorks": 0.15, "Navisworks Manage": 0.1,
        "ReCap Pro": 0.1,
    },
    "manufacturing": {
        "Inventor Professional": 0.4, "Fusion": 0.25, "AutoCAD": 0.2, "AutoCAD LT": 0.1,
        "Navisworks Simulate": 0.05,
    },
    "structural": {
        "Revit": 0.35, "Advance Steel": 0.3, "AutoCAD": 0.2, "Navisworks Manage": 0.15,
    },
    "media": {
        "3ds Max": 0.35, "Maya": 0.35, "Arnold": 0.1, "MotionBuilder": 0.1, "Mudbox": 0.1,
    },
}

# Token pack sizes a reseller quotes; Autodesk discounts 5,000 and more.
PACK_SIZES: tuple[int, ...] = (500, 1000, 2500, 5000, 10000, 25000, 50000, 100000)
FLEX_OFFERING = "Autodesk Flex"

# Subscriptions a Flex team typically also holds; they carry seats, never tokens.
SEAT_OFFERINGS: tuple[str, ...] = (
    "AutoCAD - including specialized toolsets",
    "Architecture Engineering & Construction Collection",
    "Product Design & Manufacturing Collection",
    "Revit",
    "BIM Collaborate Pro",
)
RESELLERS: tuple[tuple[str, str], ...] = (
    ("Cadline Solutions", "orders@cadline-solutions.example"),
    ("Graitec Partner Services", "sales@graitec-partner.example"),
    ("", ""),  # bought directly from Autodesk online
)

# Yearly list price (USD) of one named subscription of a product, for the prices feed
# (insights.md, Flex fit). None: not sold as a named subscription on its own here, so a
# product used on Flex has no price and its Flex fit shows `unknown`.
YEARLY_PRICES: dict[str, str | None] = {
    "AutoCAD": "2030", "AutoCAD LT": "635", "Revit": "3055", "Revit LT": "560",
    "Civil 3D": "2825", "3ds Max": "1975", "Maya": "1975", "Inventor Professional": "2495",
    "Fusion": "679.99", "Navisworks Manage": "3065", "Navisworks Simulate": "1530",
    "Advance Steel": "2860", "InfraWorks": "1060.5", "ReCap Pro": None, "Arnold": "420",
    "MotionBuilder": "2180", "Mudbox": None,
}
# Cost centres a company of each discipline books its people on (cost_centers feed).
COST_CENTERS: dict[str, tuple[str, ...]] = {
    "architecture": ("CC-1000 Architecture", "CC-1100 Interior Design",
                     "CC-1200 Urban Planning", "CC-1300 Landscape", "CC-2000 Design",
                     "CC-9000 Overhead"),
    "infrastructure": ("CC-1100 Structural", "CC-1200 Civil", "CC-1300 Transport",
                       "CC-1400 Water", "CC-2000 Design", "CC-9000 Overhead"),
    "manufacturing": ("CC-3100 Product Engineering", "CC-3200 Tooling", "CC-3300 Production",
                      "CC-3400 Quality", "CC-2000 Design", "CC-9000 Overhead"),
    "structural": ("CC-1100 Structural", "CC-1110 Steel Detailing", "CC-1120 Concrete",
                   "CC-1200 Civil", "CC-2000 Design", "CC-9000 Overhead"),
    "media": ("CC-4100 Animation", "CC-4200 Visual Effects", "CC-4300 Games",
              "CC-4400 Post-production", "CC-2000 Design", "CC-9000 Overhead"),
}
