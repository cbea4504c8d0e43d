// ctl/prometheus.h: the daemon's JSON dump in Prometheus' text exposition format:
// bento_ metric names, labels pid, arena and bin (with its size).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace bentoctl {

std::string prometheus_text(const nlohmann::json& dump, int pid);

}  // namespace bentoctl
