#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

struct LaunchSpec;

// The one place the Docker JSON of a launch is written: the body of POST /containers/create, and
// its query (the container's name). Every export of a launch derives from the LaunchSpec the same
// way.
namespace DockerCreateBody {

QJsonObject build(const LaunchSpec &spec, bool detach = false);
// HostConfig.DeviceRequests, field for field what the docker CLI sends.
QJsonArray deviceRequests(const LaunchSpec &spec);
QUrlQuery query(const LaunchSpec &spec);

} // namespace DockerCreateBody
