#pragma once

#include "Connection.h"

class QLocalSocket;

// A Unix socket: a local engine, or the local end of an ssh tunnel.
class LocalConnection : public Connection
{
    Q_OBJECT

public:
    LocalConnection(QString path, QObject *parent);

    void open() override;
    bool isConnected() const override;
    QString peer() const override { return m_path; }

protected:
    qintptr descriptor() const override;
    void flushDevice() override;
    // The peer closed the socket; a tunnel may know why.
    virtual void onDisconnected() { emit closed(); }
    void connectTo(const QString &path);

private:
    void onError();

    QString m_path;
    QLocalSocket *m_socket;
};

class LocalConnector : public Connector
{
public:
    explicit LocalConnector(QString path) : m_path(std::move(path)) { }
    Connection *create(QObject *parent) override { return new LocalConnection(m_path, parent); }
    QString describe() const override { return QStringLiteral("unix://") + m_path; }

private:
    QString m_path;
};
