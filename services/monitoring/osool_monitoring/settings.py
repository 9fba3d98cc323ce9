"""Settings of the monitoring service: the common variables plus its own."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from osool_common.settings import CommonSettings


class Settings(CommonSettings):
    service_name: ClassVar[str] = "monitoring"
    upstream_services: str = ""
    # The services whose /health the health job reads through the internal gateway.
    monitored_services: str = "auth,search,chat-history,chain,monitoring,agent"
    # A run asks every service's /health, which asks its database, Valkey and (one run in three, UPSTREAM_FRESH_SECONDS)
    # its upstreams: 22 ms of CPU across the stack a run (bench/monitoring), 1.5 millicores at 15 s, the costliest item
    # of monitoring; the operations page and the incidents see a failing service within 15 s.
    monitoring_health_interval_seconds: float = Field(default=15.0, ge=1.0, le=3600.0)
    # Days of history kept (one partition a day; older ones are dropped whole).
    monitoring_retention_days: int = Field(default=30, ge=1, le=3650)

    # Prometheus file_sd targets (the launcher writes it): every replica's /metrics for the RED job; without it each
    # service is read once through the internal gateway (one replica's counters a run).
    monitoring_targets_file: str = ""
    # Compose and Kubernetes: the replicas are every address DNS gives for a service's name, on this port.
    monitoring_targets_dns_port: int | None = Field(default=None, ge=1, le=65535)
    monitoring_red_interval_seconds: float = Field(default=60.0, ge=1.0, le=3600.0)
    monitoring_database_report_interval_seconds: float = Field(default=3600.0, ge=1.0, le=86400.0)
    monitoring_performance_interval_seconds: float = Field(default=21600.0, ge=1.0, le=604800.0)
    monitoring_cache_report_interval_seconds: float = Field(default=21600.0, ge=1.0, le=604800.0)
    monitoring_cost_report_interval_seconds: float = Field(default=86400.0, ge=1.0, le=604800.0)
    # Hours of statistics before an index never scanned is reported as unused (right after a start, all are).
    monitoring_unused_index_min_hours: float = Field(default=1.0, ge=0.0, le=720.0)
    # How often every replica reloads the routes' baselines into its gauge.
    monitoring_baseline_publish_seconds: float = Field(default=300.0, ge=1.0, le=3600.0)

    @property
    def monitored(self) -> list[str]:
        return [name.strip() for name in self.monitored_services.split(",") if name.strip()]
