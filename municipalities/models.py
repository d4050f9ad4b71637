from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    slug = models.SlugField(_("slug"), unique=True, help_text=_("ASCII, set by hand."))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Municipality(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )
    slug = models.SlugField(_("slug"), unique=True, help_text=_("ASCII, set by hand."))
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(
        _("official name"),
        max_length=200,
        help_text=_("Kept exactly as written in law; the genitive changes the stem."),
    )
    centre = models.CharField(_("administrative centre"), max_length=100)
    population = models.PositiveIntegerField(_("population"))
    population_year = models.PositiveSmallIntegerField(_("population census year"), default=2014)
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=8, decimal_places=1, validators=[MinValueValidator(0)]
    )
    latitude = models.DecimalField(
        _("latitude of the centre"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude of the centre"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: a GeoJSON Polygon or MultiPolygon geometry in WGS 84 (longitude, "
            "latitude). The map draws it when present, otherwise a marker at the centre."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="municipality_coordinates_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.boundary and not boundary_is_valid(self.boundary):
            raise ValidationError(
                {
                    "boundary": _(
                        "Give a GeoJSON Polygon or MultiPolygon with [longitude, latitude] points."
                    )
                }
            )


def boundary_is_valid(geometry) -> bool:
    """A GeoJSON Polygon or MultiPolygon whose rings are closed lists of lon/lat pairs."""
    if not isinstance(geometry, dict):
        return False
    polygons = {
        "Polygon": lambda c: [c],
        "MultiPolygon": lambda c: c,
    }.get(geometry.get("type"))
    coordinates = geometry.get("coordinates")
    if polygons is None or not isinstance(coordinates, list):
        return False
    try:
        for polygon in polygons(coordinates):
            for ring in polygon:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    return False
                for lon, lat, *_rest in ring:
                    if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
                        return False
    except (TypeError, ValueError):
        return False
    return True


class Organization(models.Model):
    """A civil society organisation that monitors municipalities."""

    slug = models.SlugField(_("slug"), unique=True, help_text=_("ASCII, set by hand."))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="organizations", verbose_name=_("works in")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("CSO organisation")
        verbose_name_plural = _("CSO organisations")

    def __str__(self):
        return self.name


class MunicipalityMembership(models.Model):
    """A user who works for one municipality (municipal staff)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="municipality_membership",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("municipality"),
    )
    position = models.CharField(_("position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("municipal staff membership")
        verbose_name_plural = _("municipal staff memberships")

    def __str__(self):
        return f"{self.user} – {self.municipality}"


class OrganizationMembership(models.Model):
    """A user who is a member of a CSO organisation (a monitor)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organization_memberships",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("CSO membership")
        verbose_name_plural = _("CSO memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="unique_organization_membership"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.organization}"
