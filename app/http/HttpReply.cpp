#include "HttpReply.h"

#include "HttpClient.h"
#include "HttpLogging.h"

#include <QLocalSocket>

HttpReply::HttpReply(HttpClient *client, HttpRequest request)
    : QObject(client),
      m_client(client),
      m_request(std::move(request)),
      m_parser(HttpResponseParser::Callbacks{
          [this](const HttpResponseHead &head) {
              if (m_finished)
                  return;
              m_head = head;
              if (m_request.stream || head.upgraded)
                  m_timer.stop(); // streams have no timeout once the engine has answered
              emit headReceived();
          },
          [this](const char *data, qsizetype size) {
              if (m_finished)
                  return;
              if (m_request.stream) {
                  emit dataReceived(QByteArray(data, size));
              } else if (m_body.size() + size > kMaxBufferedBody) {
                  fail(Error(Error::Code::Protocol, QStringLiteral("The engine's answer was too large"),
                             QStringLiteral("more than %1 MiB for %2 %3")
                                 .arg(kMaxBufferedBody / (1024 * 1024))
                                 .arg(QString::fromLatin1(m_request.method),
                                      QString::fromLatin1(m_request.target))));
              } else {
                  m_body.append(data, size);
              }
          },
          [this]() { succeed(); },
          [this](const QByteArray &rest) {
              if (!m_finished && !rest.isEmpty())
                  emit dataReceived(rest);
          }})
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpReply::onTimeout);
    m_parser.reset(m_request.method == "HEAD");
}

HttpReply::~HttpReply()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
}

QByteArray HttpReply::serialize() const
{
    QByteArray out;
    out.reserve(256 + m_request.body.size());
    out += m_request.method + ' ' + m_request.target + " HTTP/1.1\r\n";
    // The engine ignores Host, but HTTP/1.1 requires one.
    out += "Host: docker\r\nUser-Agent: gpudeck/" GPUDECK_VERSION "\r\n";
    for (const auto &header : m_request.headers)
        out += header.first + ": " + header.second + "\r\n";
    if (m_request.upgrade)
        out += "Connection: Upgrade\r\nUpgrade: tcp\r\n";
    if (!m_request.body.isEmpty() || m_request.method == "POST" || m_request.method == "PUT")
        out += "Content-Length: " + QByteArray::number(m_request.body.size()) + "\r\n";
    out += "\r\n";
    out += m_request.body;
    return out;
}

void HttpReply::start(QLocalSocket *socket, bool reused)
{
    m_socket = socket;
    m_reused = reused;
    m_anyByteReceived = false;
    connect(socket, &QLocalSocket::readyRead, this, &HttpReply::onReadyRead);
    connect(socket, &QLocalSocket::disconnected, this, &HttpReply::onDisconnected);
    connect(socket, &QLocalSocket::errorOccurred, this, &HttpReply::onSocketError);
    qCDebug(lcHttp) << "request" << m_request.method << m_request.target << (reused ? "(reused)" : "");
    if (socket->state() == QLocalSocket::ConnectedState) {
        onConnected();
        return;
    }
    connect(socket, &QLocalSocket::connected, this, &HttpReply::onConnected);
    m_timer.start(m_request.connectTimeoutMs);
    socket->connectToServer(m_client->socketPath());
}

void HttpReply::onConnected()
{
    if (m_finished || !m_socket)
        return;
    m_socket->write(serialize());
    m_timer.start(m_request.headerTimeoutMs);
}

void HttpReply::onReadyRead()
{
    if (m_finished || !m_socket)
        return;
    // Called from onDisconnected too, when the socket may be closed already (readAll would warn).
    const QByteArray data = m_socket->isOpen() ? m_socket->readAll() : QByteArray();
    if (data.isEmpty())
        return;
    m_anyByteReceived = true;
    if (m_head.upgraded) {
        emit dataReceived(data);
        return;
    }
    if (!m_parser.feed(data) && !m_finished) {
        fail(Error(Error::Code::Protocol, QStringLiteral("The engine's answer could not be read"),
                   m_parser.errorString(),
                   QStringLiteral("check that the endpoint is a Docker engine")));
    }
}

void HttpReply::onDisconnected()
{
    if (m_finished || !m_socket)
        return;
    onReadyRead(); // whatever arrived with the close
    if (m_finished)
        return;
    if (m_head.upgraded) {
        succeed(); // the raw stream ends when the engine closes it
        return;
    }
    if (m_reused && !m_anyByteReceived) {
        m_client->retryOnFreshConnection(this);
        return;
    }
    if (!m_parser.finish()) {
        fail(Error(Error::Code::Protocol, QStringLiteral("The engine closed the connection"),
                   m_parser.errorString()));
    }
}

void HttpReply::onSocketError()
{
    if (m_finished || !m_socket)
        return;
    const QLocalSocket::LocalSocketError code = m_socket->error();
    if (code == QLocalSocket::PeerClosedError) {
        onDisconnected();
        return;
    }
    const QString path = m_client->socketPath();
    const QString what = QStringLiteral("Could not reach the Docker engine at %1").arg(path);
    switch (code) {
    case QLocalSocket::ServerNotFoundError:
        fail(Error(Error::Code::SocketNotFound, what, QStringLiteral("the socket does not exist"),
                   QStringLiteral("Is dockerd running? Start it (sudo systemctl start docker) or "
                                  "choose another engine with --host or DOCKER_HOST")));
        return;
    case QLocalSocket::ConnectionRefusedError:
        fail(Error(Error::Code::ConnectionFailed, what,
                   QStringLiteral("nothing is listening on the socket"),
                   QStringLiteral("dockerd is not running: start it (sudo systemctl start docker)")));
        return;
    case QLocalSocket::SocketAccessError:
        fail(Error(Error::Code::PermissionDenied, what, QStringLiteral("permission denied"),
                   QStringLiteral("Add your user to the docker group (sudo usermod -aG docker "
                                  "$USER) and log in again")));
        return;
    default:
        if (m_reused && !m_anyByteReceived) {
            m_client->retryOnFreshConnection(this);
            return;
        }
        fail(Error(Error::Code::ConnectionFailed, what, m_socket->errorString()));
        return;
    }
}

void HttpReply::onTimeout()
{
    if (m_finished)
        return;
    const bool connecting = m_socket && m_socket->state() != QLocalSocket::ConnectedState;
    const int ms = connecting ? m_request.connectTimeoutMs : m_request.headerTimeoutMs;
    fail(Error(Error::Code::Timeout,
               connecting ? QStringLiteral("Could not connect to the Docker engine at %1")
                                .arg(m_client->socketPath())
                          : QStringLiteral("The Docker engine did not answer %1 %2")
                                .arg(QString::fromLatin1(m_request.method),
                                     QString::fromLatin1(m_request.target)),
               QStringLiteral("no answer within %1 s").arg(ms / 1000.0),
               QStringLiteral("check that dockerd is running and not overloaded")));
}

bool HttpReply::write(const QByteArray &data)
{
    if (m_finished || !m_socket || !m_head.upgraded)
        return false;
    return m_socket->write(data) == data.size();
}

void HttpReply::closeWrite()
{
    // QLocalSocket has no half-close; the engine sees EOF on stdin when the stream ends.
    if (m_socket)
        m_socket->flush();
}

void HttpReply::abort()
{
    if (m_finished)
        return;
    fail(Error(Error::Code::Cancelled, QStringLiteral("Cancelled"),
               QStringLiteral("%1 %2 was cancelled")
                   .arg(QString::fromLatin1(m_request.method), QString::fromLatin1(m_request.target))));
}

void HttpReply::fail(const Error &error)
{
    if (m_finished)
        return;
    m_error = error;
    qCDebug(lcHttp) << "failed" << m_request.method << m_request.target << error.message();
    finish();
}

void HttpReply::succeed()
{
    if (m_finished)
        return;
    qCDebug(lcHttp) << "done" << m_request.method << m_request.target << m_head.status;
    finish();
}

void HttpReply::finish()
{
    m_finished = true;
    m_timer.stop();
    const bool reusable = !m_error.isError() && !m_request.stream && !m_head.upgraded
                          && m_head.keepAlive && m_parser.isComplete() && !m_parser.hasFailed();
    QLocalSocket *socket = m_socket;
    m_socket = nullptr;
    if (socket)
        socket->disconnect(this);
    m_client->release(this, socket, reusable);
    emit finished();
    deleteLater();
}
