"""Fetching an oversized configuration item with Config's GetDiscoveredResource."""

from __future__ import annotations

from alibabacloud_config20200907 import models as cfg

from functions.common import cloud_errors
from functions.common.decode import json_object
from functions.common.errors import EventError
from functions.common.tea_api import TeaApi
from functions.mfa_rule.event import ResourceItem
from functions.mfa_rule.facts import LookupFailed


def fetch_item(api: TeaApi, item: ResourceItem) -> tuple[ResourceItem, bool]:
    """The full item and whether Config records the resource as deleted; raises LookupFailed."""
    request = cfg.GetDiscoveredResourceRequest(
        resource_id=item.resource_id, resource_type=item.resource_type, region=item.region_id
    )
    try:
        body = api.call("get_discovered_resource", request)
    except Exception as exc:
        raise LookupFailed(cloud_errors.explain("GetDiscoveredResource", exc)) from exc
    detail = body.discovered_resource_detail
    if detail is None:
        raise LookupFailed("GetDiscoveredResource: response has no DiscoveredResourceDetail")
    configuration = None
    if detail.configuration:
        try:
            configuration = json_object(detail.configuration, "DiscoveredResourceDetail.Configuration")
        except EventError as exc:
            raise LookupFailed(f"GetDiscoveredResource: {exc}") from None
    full = ResourceItem(
        item.resource_id,
        item.resource_type,
        item.region_id,
        detail.resource_name or item.resource_name,
        configuration,
        item.account_id or (str(detail.account_id) if detail.account_id else None),
    )
    return full, detail.resource_deleted == 1
