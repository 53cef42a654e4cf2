#pragma once

#include <QByteArray>
#include <QString>

// The container a process runs in, as its /proc/PID/cgroup names it. Pure: the tests feed it
// lines captured on real hosts (tests/fixtures/cgroup).
class CgroupParser
{
public:
    struct Container
    {
        QString id; // the full 64-hex-digit container ID; empty: not in a container
        // "docker", "podman", "containerd", "cri-o"; empty when the form does not say
        QString engine;
        bool isValid() const { return !id.isEmpty(); }
    };

    // Every form cgroup v1 and v2 and the systemd and cgroupfs drivers write:
    //   0::/system.slice/docker-<id>.scope        Docker, systemd driver (also rootless, under user@N.service)
    //   0::/docker/<id>, 12:memory:/docker/<id>   Docker, cgroupfs driver (v2, v1)
    //   0::/machine.slice/libpod-<id>.scope[/container]   Podman, systemd driver
    //   0::/libpod_parent/libpod-<id>             Podman, cgroupfs driver
    //   cri-containerd-<id>.scope, crio-<id>.scope, /kubepods/.../pod<uid>/<id>   Kubernetes runtimes
    // The innermost container wins (Docker in Docker names the inner one). A v2 line ("0::") is
    // preferred; on hybrid hosts, where it reads "/", the v1 lines decide. Podman's monitor
    // (libpod-conmon-<id>) is not the container.
    static Container containerOf(const QByteArray &procCgroup);

    static bool isContainerId(QStringView text);
};
