#include "HttpClient.h"

#include "HttpReply.h"

#include <QLocalSocket>

HttpClient::HttpClient(QString socketPath, QObject *parent)
    : QObject(parent), m_socketPath(std::move(socketPath))
{
}

// Replies go first, quietly: a socket deleted later would otherwise report its close to a reply
// that then calls back into this half-destroyed client.
HttpClient::~HttpClient()
{
    const QList<HttpReply *> replies = findChildren<HttpReply *>(Qt::FindDirectChildrenOnly);
    for (HttpReply *reply : replies)
        delete reply;
    for (QLocalSocket *socket : std::as_const(m_idle))
        socket->disconnect(this);
}

QLocalSocket *HttpClient::newSocket()
{
    auto *socket = new QLocalSocket(this);
    socket->setReadBufferSize(0);
    return socket;
}

HttpReply *HttpClient::send(const HttpRequest &request)
{
    auto *reply = new HttpReply(this, request);
    QLocalSocket *socket = nullptr;
    bool reused = false;
    if (!request.stream && !request.upgrade) {
        while (!m_idle.isEmpty() && !socket) {
            QLocalSocket *candidate = m_idle.takeLast();
            candidate->disconnect(this);
            if (candidate->state() == QLocalSocket::ConnectedState) {
                socket = candidate;
                reused = true;
            } else {
                candidate->deleteLater();
            }
        }
    }
    if (!socket)
        socket = newSocket();
    // Start on the next turn of the event loop, so that the caller connects to the reply first
    // even when connecting fails at once.
    QMetaObject::invokeMethod(
        reply, [reply, socket, reused]() { reply->start(socket, reused); }, Qt::QueuedConnection);
    return reply;
}

void HttpClient::release(HttpReply *reply, QLocalSocket *socket, bool reusable)
{
    Q_UNUSED(reply);
    if (!socket)
        return;
    if (reusable && m_idle.size() < kMaxIdle && socket->state() == QLocalSocket::ConnectedState) {
        m_idle.append(socket);
        const auto drop = [this, socket]() {
            m_idle.removeOne(socket);
            socket->disconnect(this);
            socket->abort();
            socket->deleteLater();
        };
        connect(socket, &QLocalSocket::disconnected, this, drop);
        // Bytes on an idle connection belong to no request: the peer is out of step.
        connect(socket, &QLocalSocket::readyRead, this, drop);
        return;
    }
    socket->abort();
    socket->deleteLater();
}

void HttpClient::retryOnFreshConnection(HttpReply *reply)
{
    if (reply->m_socket) {
        QLocalSocket *old = reply->m_socket;
        reply->m_socket = nullptr;
        old->disconnect(reply);
        old->abort();
        old->deleteLater();
    }
    reply->m_parser.reset(reply->m_request.method == "HEAD");
    reply->start(newSocket(), false);
}

void HttpClient::abortAll()
{
    const QList<HttpReply *> replies = findChildren<HttpReply *>(Qt::FindDirectChildrenOnly);
    for (HttpReply *reply : replies)
        reply->abort();
    for (QLocalSocket *socket : std::as_const(m_idle)) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    m_idle.clear();
}
