#pragma once

#include "HttpRequest.h"

#include <QDeadlineTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

class Connection;
class Connector;
class HttpReply;

// HTTP/1.1 to one engine on the Qt event loop, over whatever connections its connector makes
// (Unix socket, TCP, TLS, ssh tunnel). Short calls share keep-alive connections, which expire
// after an idle time shorter than the engine's; each stream gets a connection of its own. Qt 6.4's
// network access manager can neither speak over a Unix socket nor hand out a hijacked stream.
class HttpClient : public QObject
{
    Q_OBJECT

public:
    static constexpr int kDefaultIdleTimeoutMs = 15000;

    explicit HttpClient(std::unique_ptr<Connector> connector, QObject *parent = nullptr);
    ~HttpClient() override;

    Connector *connector() const { return m_connector.get(); }
    // The engine as people name it, for messages.
    QString peer() const;

    // Starts the request at once. The reply is owned by the client and deleted after finished.
    HttpReply *send(const HttpRequest &request);

    // Aborts every request in flight and drops idle connections.
    void abortAll();
    // Drops idle connections; requests in flight and streams go on.
    void dropIdle();

    int idleConnectionCount() const { return int(m_idle.size()); }
    void setIdleTimeout(int ms) { m_idleTimeoutMs = ms; }

private:
    friend class HttpReply;
    struct Idle
    {
        Connection *connection;
        QDeadlineTimer expiry;
    };

    Connection *newConnection();
    void release(Connection *connection, bool reusable);
    void discard(Connection *connection);
    // A reused connection died before any answer: try once more on a fresh one.
    void retryOnFreshConnection(HttpReply *reply);
    void sweepIdle();

    std::unique_ptr<Connector> m_connector;
    QList<Idle> m_idle;
    QTimer m_sweep;
    int m_idleTimeoutMs = kDefaultIdleTimeoutMs;
    static constexpr int kMaxIdle = 4;
};
