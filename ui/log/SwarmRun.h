#pragma once

#include "launch/LaunchSpec.h"
#include "log/LaunchRun.h"

class DockerClient;
class SwarmLauncher;

// A service on a swarm, as `gpudeck swarm run --replicas N`: Creating until its first task's
// output, then Running; Exited, Failed or Cancelled once the service is gone.
class SwarmRun : public LaunchRun
{
    Q_OBJECT

public:
    SwarmRun(DockerClient *client, const LaunchSpec &spec, int replicas, QObject *parent = nullptr);

    SwarmLauncher *swarmLauncher() const { return m_swarm; }

    void start() override;
    void stop() override;
    Launcher::State state() const override;
    std::optional<qint64> exitCode() const override;
    const Error &error() const override;
    QString id() const override;

private:
    SwarmLauncher *m_swarm;
    LaunchSpec m_spec;
    int m_replicas;
    bool m_started = false;
    bool m_running = false;
    bool m_finished = false;
};
