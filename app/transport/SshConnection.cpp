#include "SshConnection.h"

SshConnection::SshConnection(SshTunnel *tunnel, QObject *parent)
    : LocalConnection(tunnel->localSocket(), parent), m_tunnel(tunnel)
{
}

QString SshConnection::peer() const
{
    return m_tunnel ? m_tunnel->target().url() : QString();
}

int SshConnection::setupTimeMs() const
{
    return m_tunnel && m_tunnel->state() != SshTunnel::State::Up ? SshTunnel::kStartDeadlineMs : 0;
}

void SshConnection::open()
{
    if (!m_tunnel) {
        emitFailed(Error(Error::Code::Ssh, QStringLiteral("Could not reach the engine"),
                         QStringLiteral("its ssh connection is gone")));
        return;
    }
    if (m_tunnel->state() == SshTunnel::State::Up) {
        connectTo(m_tunnel->localSocket());
        return;
    }
    m_waiting = true;
    connect(m_tunnel, &SshTunnel::up, this, [this]() {
        if (!m_waiting)
            return;
        m_waiting = false;
        connectTo(m_tunnel->localSocket());
    });
    connect(m_tunnel, &SshTunnel::failed, this, [this](const Error &error) {
        if (!m_waiting)
            return;
        m_waiting = false;
        emitFailed(error);
    });
    m_tunnel->start();
}

void SshConnection::onDisconnected()
{
    const Error problem = m_tunnel ? m_tunnel->connectionProblem() : Error();
    if (problem.isError())
        emitFailed(problem);
    else
        emit closed();
}

SshConnector::SshConnector(SshTarget target)
    : m_tunnel(std::make_unique<SshTunnel>(std::move(target)))
{
}

SshConnector::~SshConnector() = default;
