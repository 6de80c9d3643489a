"""Links from the participant page to outside systems."""

from urllib.parse import quote

from django.conf import settings


def parcel_viewer_url(residence):
    """The county's parcel viewer for a matched parcel (settings.PARCEL_VIEWER_URLS), or None."""
    if residence is None or not residence.parcel_id:
        return None
    template = settings.PARCEL_VIEWER_URLS.get(residence.county, settings.PARCEL_VIEWER_DEFAULT_URL)
    if not template:
        return None
    address = ", ".join(
        str(part) for part in (residence.address, residence.parcel_city, residence.county) if part
    )
    return template.format(
        parcel_id=quote(str(residence.parcel_id), safe=""),
        county=quote(str(residence.county or ""), safe=""),
        address=quote(address, safe=""),
    )
