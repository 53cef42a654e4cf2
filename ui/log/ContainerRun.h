#pragma once

#include "launch/LaunchSpec.h"
#include "log/LaunchRun.h"

class DockerClient;

// A container's launch, as `docker run`: its Launcher creates, attaches, waits and starts.
class ContainerRun : public LaunchRun
{
    Q_OBJECT

public:
    ContainerRun(DockerClient *client, const LaunchSpec &spec, QObject *parent = nullptr);

    Launcher *launcher() const { return m_launcher; }

    void start() override;
    void stop() override;
    void cancel() override;
    void detach() override;
    Launcher::State state() const override;
    std::optional<qint64> exitCode() const override;
    const Error &error() const override;
    QString id() const override;

private:
    LaunchSpec m_spec;
    Launcher *m_launcher;
};
