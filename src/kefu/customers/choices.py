"""Classification vocabularies of the customer archive (seeds 000, 002, 003)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class Ownership(models.TextChoices):
    FOREIGN = "foreign", _("Foreign-owned")
    PRIVATE = "private", _("Private")
    STATE = "state", _("State-owned")
    INDIVIDUAL = "individual", _("Individual")


class CreditRating(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


CREDIT_ORDER = {v: i for i, v in enumerate(reversed(CreditRating.values))}


class Channel(models.TextChoices):
    CHANNEL = "channel", _("Channel customer")
    TERMINAL = "terminal", _("Terminal customer")


class CustomerRole(models.TextChoices):
    SHIPPER = "shipper", _("Shipper")
    MERCHANT = "merchant", _("Merchant")
    DRIVER = "driver", _("Driver")
    DEALER = "dealer", _("Dealer")
    OTHER = "other", _("Other")


class CooperationMode(models.TextChoices):
    CONTRACT = "contract", _("Long-term contract")
    FRAMEWORK = "framework", _("Framework agreement")
    SPOT = "spot", _("Spot orders")
    AGENCY = "agency", _("Agency")


class ServiceType(models.TextChoices):
    FTL = "ftl", _("Full truckload")
    LTL = "ltl", _("Less than truckload")
    CITY = "city", _("City delivery")
    WAREHOUSING = "warehousing", _("Warehousing")
    COLD_CHAIN = "cold_chain", _("Cold chain")
    EXPRESS = "express", _("Express parcels")
    INTERNATIONAL = "international", _("International freight")


class Industry(models.TextChoices):
    ECOMMERCE = "ecommerce", _("E-commerce")
    RETAIL = "retail", _("Retail")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    FOOD = "food", _("Food and beverages")
    PHARMA = "pharma", _("Pharmaceuticals")
    AUTOMOTIVE = "automotive", _("Automotive")
    ELECTRONICS = "electronics", _("Electronics")
    CHEMICALS = "chemicals", _("Chemicals")
    BUILDING = "building", _("Building materials")
    FURNITURE = "furniture", _("Furniture")
    APPAREL = "apparel", _("Apparel")
    AGRICULTURE = "agriculture", _("Agriculture")
    OTHER = "other", _("Other")


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Loyalty(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Grade(models.TextChoices):
    A = "A", _("Grade A")
    B = "B", _("Grade B")
    C = "C", _("Grade C")


class Region(models.TextChoices):
    """Provincial-level divisions of mainland China, Hong Kong, Macao and Taiwan."""

    BEIJING = "beijing", _("Beijing")
    TIANJIN = "tianjin", _("Tianjin")
    HEBEI = "hebei", _("Hebei")
    SHANXI = "shanxi", _("Shanxi")
    NEIMENGGU = "neimenggu", _("Inner Mongolia")
    LIAONING = "liaoning", _("Liaoning")
    JILIN = "jilin", _("Jilin")
    HEILONGJIANG = "heilongjiang", _("Heilongjiang")
    SHANGHAI = "shanghai", _("Shanghai")
    JIANGSU = "jiangsu", _("Jiangsu")
    ZHEJIANG = "zhejiang", _("Zhejiang")
    ANHUI = "anhui", _("Anhui")
    FUJIAN = "fujian", _("Fujian")
    JIANGXI = "jiangxi", _("Jiangxi")
    SHANDONG = "shandong", _("Shandong")
    HENAN = "henan", _("Henan")
    HUBEI = "hubei", _("Hubei")
    HUNAN = "hunan", _("Hunan")
    GUANGDONG = "guangdong", _("Guangdong")
    GUANGXI = "guangxi", _("Guangxi")
    HAINAN = "hainan", _("Hainan")
    CHONGQING = "chongqing", _("Chongqing")
    SICHUAN = "sichuan", _("Sichuan")
    GUIZHOU = "guizhou", _("Guizhou")
    YUNNAN = "yunnan", _("Yunnan")
    XIZANG = "xizang", _("Tibet")
    SHAANXI = "shaanxi", _("Shaanxi")
    GANSU = "gansu", _("Gansu")
    QINGHAI = "qinghai", _("Qinghai")
    NINGXIA = "ningxia", _("Ningxia")
    XINJIANG = "xinjiang", _("Xinjiang")
    HONGKONG = "hongkong", _("Hong Kong")
    MACAO = "macao", _("Macao")
    TAIWAN = "taiwan", _("Taiwan")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")


class VerificationMethod(models.TextChoices):
    PHONE_CALLBACK = "phone_callback", _("Call-back on the registered phone")
    ID_DOCUMENT = "id_document", _("ID document checked")
    BUSINESS_LICENCE = "business_licence", _("Business licence checked")
    IN_PERSON = "in_person", _("In person")


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed archive")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    REVEAL = "reveal", _("Revealed personal data")
