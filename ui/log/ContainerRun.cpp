#include "log/ContainerRun.h"

ContainerRun::ContainerRun(DockerClient *client, const LaunchSpec &spec, QObject *parent)
    : LaunchRun(parent), m_spec(spec), m_launcher(new Launcher(client, this))
{
    connect(m_launcher, &Launcher::output, this, &LaunchRun::output);
    connect(m_launcher, &Launcher::stateChanged, this, &LaunchRun::changed);
    connect(m_launcher, &Launcher::containerCreated, this, &LaunchRun::changed);
    connect(m_launcher, &Launcher::finished, this, &LaunchRun::finished);
}

void ContainerRun::start()
{
    m_launcher->launch(m_spec);
}

void ContainerRun::stop()
{
    m_launcher->stop();
}

void ContainerRun::cancel()
{
    m_launcher->cancel();
}

void ContainerRun::detach()
{
    m_launcher->detach();
}

Launcher::State ContainerRun::state() const
{
    return m_launcher->state();
}

std::optional<qint64> ContainerRun::exitCode() const
{
    return m_launcher->exitCode();
}

const Error &ContainerRun::error() const
{
    return m_launcher->error();
}

QString ContainerRun::id() const
{
    return m_launcher->containerId();
}
