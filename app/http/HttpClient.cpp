#include "HttpClient.h"

#include "HttpReply.h"
#include "transport/Connection.h"

HttpClient::HttpClient(std::unique_ptr<Connector> connector, QObject *parent)
    : QObject(parent), m_connector(std::move(connector))
{
    m_sweep.setSingleShot(true);
    connect(&m_sweep, &QTimer::timeout, this, &HttpClient::sweepIdle);
}

// Replies go first, quietly: a connection deleted later would otherwise report its close to a
// reply that then calls back into this half-destroyed client.
HttpClient::~HttpClient()
{
    const QList<HttpReply *> replies = findChildren<HttpReply *>(Qt::FindDirectChildrenOnly);
    for (HttpReply *reply : replies)
        delete reply;
    for (const Idle &idle : std::as_const(m_idle))
        idle.connection->disconnect(this);
    // The connections are children: they go before the connector (and an ssh tunnel) below.
    const QList<Connection *> connections = findChildren<Connection *>(Qt::FindDirectChildrenOnly);
    for (Connection *connection : connections)
        delete connection;
}

QString HttpClient::peer() const
{
    return m_connector->describe();
}

Connection *HttpClient::newConnection()
{
    return m_connector->create(this);
}

HttpReply *HttpClient::send(const HttpRequest &request)
{
    auto *reply = new HttpReply(this, request);
    Connection *connection = nullptr;
    bool reused = false;
    if (!request.stream && !request.upgrade) {
        while (!m_idle.isEmpty() && !connection) {
            const Idle idle = m_idle.takeLast();
            idle.connection->disconnect(this);
            if (idle.connection->isConnected() && !idle.expiry.hasExpired()) {
                connection = idle.connection;
                reused = true;
            } else {
                discard(idle.connection);
            }
        }
    }
    if (!connection)
        connection = newConnection();
    // Start on the next turn of the event loop, so that the caller connects to the reply first
    // even when connecting fails at once.
    QMetaObject::invokeMethod(
        reply, [reply, connection, reused]() { reply->start(connection, reused); },
        Qt::QueuedConnection);
    return reply;
}

void HttpClient::discard(Connection *connection)
{
    connection->disconnect(this);
    connection->abort();
    connection->deleteLater();
}

void HttpClient::release(Connection *connection, bool reusable)
{
    if (!connection)
        return;
    if (!reusable || m_idle.size() >= kMaxIdle || !connection->isConnected()) {
        discard(connection);
        return;
    }
    m_idle.append({connection, QDeadlineTimer(m_idleTimeoutMs)});
    const auto drop = [this, connection]() {
        for (qsizetype i = 0; i < m_idle.size(); ++i) {
            if (m_idle.at(i).connection == connection) {
                m_idle.removeAt(i);
                break;
            }
        }
        discard(connection);
    };
    connect(connection, &Connection::closed, this, drop);
    connect(connection, &Connection::failed, this, drop);
    // Bytes on an idle connection belong to no request: the peer is out of step.
    connect(connection, &Connection::readyRead, this, drop);
    if (!m_sweep.isActive())
        m_sweep.start(m_idleTimeoutMs);
}

void HttpClient::sweepIdle()
{
    for (qsizetype i = m_idle.size() - 1; i >= 0; --i) {
        if (m_idle.at(i).expiry.hasExpired())
            discard(m_idle.takeAt(i).connection);
    }
    if (!m_idle.isEmpty()) {
        qint64 next = m_idleTimeoutMs;
        for (const Idle &idle : std::as_const(m_idle))
            next = qMin(next, idle.expiry.remainingTime());
        m_sweep.start(int(qMax<qint64>(next, 1)));
    }
}

void HttpClient::retryOnFreshConnection(HttpReply *reply)
{
    if (reply->m_connection) {
        Connection *old = reply->m_connection;
        reply->m_connection = nullptr;
        old->disconnect(reply);
        discard(old);
    }
    reply->m_parser.reset(reply->m_request.method == "HEAD");
    reply->start(newConnection(), false);
}

void HttpClient::dropIdle()
{
    for (const Idle &idle : std::as_const(m_idle))
        discard(idle.connection);
    m_idle.clear();
    m_sweep.stop();
}

void HttpClient::abortAll()
{
    const QList<HttpReply *> replies = findChildren<HttpReply *>(Qt::FindDirectChildrenOnly);
    for (HttpReply *reply : replies)
        reply->abort();
    dropIdle();
}
