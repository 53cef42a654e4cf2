#include "HttpReply.h"

#include "HttpClient.h"
#include "HttpLogging.h"

#include "transport/Connection.h"

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
                  fail(Error(Error::Code::Protocol,
                             QStringLiteral("The engine's answer was too large"),
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
    if (m_connection) {
        m_connection->disconnect(this);
        m_connection->abort();
        m_connection->deleteLater();
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

void HttpReply::start(Connection *connection, bool reused)
{
    m_connection = connection;
    m_reused = reused;
    m_sentBefore = connection->bytesSent();
    m_anyByteReceived = false;
    connect(connection, &Connection::readyRead, this, &HttpReply::onReadyRead);
    connect(connection, &Connection::closed, this, &HttpReply::onDisconnected);
    connect(connection, &Connection::failed, this, &HttpReply::onConnectionFailed);
    qCDebug(lcHttp) << "request" << m_request.method << m_request.target
                    << (reused ? "(reused)" : "");
    if (connection->isConnected()) {
        onConnected();
        return;
    }
    connect(connection, &Connection::connected, this, &HttpReply::onConnected);
    m_timer.start(m_request.connectTimeoutMs + connection->setupTimeMs());
    connection->open();
}

void HttpReply::onConnected()
{
    if (m_finished || !m_connection)
        return;
    m_connection->write(serialize());
    m_timer.start(m_request.headerTimeoutMs);
}

void HttpReply::onReadyRead()
{
    if (m_finished || !m_connection)
        return;
    const QByteArray data = m_connection->readAll();
    if (data.isEmpty())
        return;
    m_anyByteReceived = true;
    if (m_head.upgraded) {
        emit dataReceived(data);
        return;
    }
    if (!m_parser.feed(data) && !m_finished) {
        fail(Error(Error::Code::Protocol,
                   QStringLiteral("The answer from %1 could not be read").arg(m_client->peer()),
                   m_parser.errorString()));
    }
}

bool HttpReply::mayRetry() const
{
    if (!m_reused || m_anyByteReceived)
        return false;
    const bool idempotent = m_request.method == "GET" || m_request.method == "HEAD";
    const bool neverSent = m_connection && m_connection->bytesSent() == m_sentBefore;
    return idempotent || neverSent;
}

void HttpReply::onDisconnected()
{
    if (m_finished || !m_connection)
        return;
    onReadyRead(); // whatever arrived with the close
    if (m_finished)
        return;
    if (m_head.upgraded) {
        succeed(); // the raw stream ends when the engine closes it
        return;
    }
    if (mayRetry()) {
        m_client->retryOnFreshConnection(this);
        return;
    }
    if (m_reused && !m_anyByteReceived) {
        fail(Error(Error::Code::ConnectionFailed,
                   QStringLiteral("%1 closed a kept-alive connection before answering %2 %3")
                       .arg(m_client->peer(), QString::fromLatin1(m_request.method),
                            QString::fromLatin1(m_request.target)),
                   QStringLiteral("the request may or may not have been carried out, so it was not "
                                  "sent again")));
        return;
    }
    if (!m_parser.finish()) {
        fail(Error(Error::Code::Protocol,
                   QStringLiteral("%1 closed the connection before the answer was complete")
                       .arg(m_client->peer()),
                   m_parser.errorString()));
    }
}

void HttpReply::onConnectionFailed(const Error &error)
{
    if (m_finished || !m_connection)
        return;
    if (error.code() == Error::Code::ConnectionFailed && mayRetry()) {
        m_client->retryOnFreshConnection(this);
        return;
    }
    fail(error);
}

void HttpReply::onTimeout()
{
    if (m_finished)
        return;
    const bool connecting = m_connection && !m_connection->isConnected();
    const int ms = connecting ? m_request.connectTimeoutMs + m_connection->setupTimeMs()
                              : m_request.headerTimeoutMs;
    fail(Error(Error::Code::Timeout,
               connecting
                   ? QStringLiteral("Could not connect to the engine at %1").arg(m_client->peer())
                   : QStringLiteral("The engine at %1 did not answer %2 %3")
                         .arg(m_client->peer(), QString::fromLatin1(m_request.method),
                              QString::fromLatin1(m_request.target)),
               QStringLiteral("no answer within %1 s").arg(ms / 1000.0)));
}

bool HttpReply::write(const QByteArray &data)
{
    if (m_finished || !m_connection || !m_head.upgraded)
        return false;
    return m_connection->write(data) == data.size();
}

void HttpReply::closeWrite()
{
    if (!m_finished && m_connection && m_head.upgraded)
        m_connection->closeWrite();
}

void HttpReply::abort()
{
    if (m_finished)
        return;
    fail(Error(Error::Code::Cancelled, QStringLiteral("Cancelled"),
               QStringLiteral("%1 %2 was cancelled")
                   .arg(QString::fromLatin1(m_request.method),
                        QString::fromLatin1(m_request.target))));
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
    Connection *connection = m_connection;
    m_connection = nullptr;
    if (connection)
        connection->disconnect(this);
    m_client->release(connection, reusable);
    emit finished();
    deleteLater();
}
