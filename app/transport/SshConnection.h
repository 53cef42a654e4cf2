#pragma once

#include "LocalConnection.h"
#include "SshTunnel.h"

#include <QPointer>

// A connection through an ssh tunnel: waits for the tunnel, then connects to its local end.
// A close that ssh explains (no engine socket on the host, ssh itself gone) is a failure that
// says so, never a silent end of stream.
class SshConnection : public LocalConnection
{
    Q_OBJECT

public:
    SshConnection(SshTunnel *tunnel, QObject *parent);

    void open() override;
    QString peer() const override;
    int setupTimeMs() const override;

protected:
    void onDisconnected() override;

private:
    QPointer<SshTunnel> m_tunnel;
    bool m_waiting = false;
};

class SshConnector : public Connector
{
public:
    explicit SshConnector(SshTarget target);
    ~SshConnector() override;
    Connection *create(QObject *parent) override
    {
        return new SshConnection(m_tunnel.get(), parent);
    }
    QString describe() const override { return m_tunnel->target().url(); }
    PortForwarder *portForwarder() const override { return m_tunnel.get(); }
    SshTunnel *sshTunnel() const override { return m_tunnel.get(); }

private:
    std::unique_ptr<SshTunnel> m_tunnel;
};
