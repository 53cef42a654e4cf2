#include "log/SwarmRun.h"

#include "launch/SwarmLauncher.h"

SwarmRun::SwarmRun(DockerClient *client, const LaunchSpec &spec, int replicas, QObject *parent)
    : LaunchRun(parent),
      m_swarm(new SwarmLauncher(client, this)),
      m_spec(spec),
      m_replicas(replicas)
{
    connect(m_swarm, &SwarmLauncher::note, this, &LaunchRun::note);
    connect(m_swarm, &SwarmLauncher::output, this,
            [this](StreamDemuxer::Channel channel, const QByteArray &data) {
                if (!m_running) {
                    m_running = true;
                    emit changed();
                }
                emit output(channel, data);
            });
    connect(m_swarm, &SwarmLauncher::finished, this, [this]() {
        m_finished = true;
        emit finished();
    });
}

void SwarmRun::start()
{
    m_started = true;
    m_swarm->launch(m_spec, m_replicas, false);
}

void SwarmRun::stop()
{
    m_swarm->stop();
}

Launcher::State SwarmRun::state() const
{
    if (!m_started)
        return Launcher::State::Idle;
    if (!m_finished)
        return m_running ? Launcher::State::Running : Launcher::State::Creating;
    if (m_swarm->error().code() == Error::Code::Cancelled)
        return Launcher::State::Cancelled;
    return m_swarm->error().isError() ? Launcher::State::Failed : Launcher::State::Exited;
}

std::optional<qint64> SwarmRun::exitCode() const
{
    if (const std::optional<int> code = m_swarm->exitCode())
        return *code;
    return std::nullopt;
}

const Error &SwarmRun::error() const
{
    return m_swarm->error();
}

QString SwarmRun::id() const
{
    return m_swarm->serviceId();
}
