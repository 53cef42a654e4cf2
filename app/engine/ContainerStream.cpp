#include "ContainerStream.h"

#include "EngineError.h"
#include "http/HttpReply.h"

ContainerStream::ContainerStream(bool tty, const Endpoint &endpoint, QObject *parent)
    : EngineStream(endpoint, parent),
      m_tty(tty),
      m_demuxer(tty, [this](StreamDemuxer::Channel channel, const char *data, qsizetype size) {
          if (channel == StreamDemuxer::Channel::DaemonError)
              m_daemonError.append(data, size);
          emit output(channel, QByteArray(data, size));
      })
{
}

void ContainerStream::bind(HttpReply *reply, const QString &what)
{
    setReply(reply, what);
    connect(reply, &HttpReply::headReceived, this, [this, reply]() {
        if (reply->status() < 300 || reply->isUpgraded()) {
            m_started = true;
            emit started();
        }
    });
    connect(reply, &HttpReply::dataReceived, this, [this, reply](const QByteArray &data) {
        if (isFinished())
            return;
        if (!m_started) { // an error status: the body is the engine's message
            m_daemonError.append(data.left(64 * 1024 - m_daemonError.size()));
            return;
        }
        m_bytes += data.size();
        if (!m_demuxer.feed(data)) {
            reply->abort();
            finish(
                Error(Error::Code::Protocol, m_what, QString::fromUtf8(m_demuxer.errorString())));
        }
    });
    connect(reply, &HttpReply::finished, this, [this, reply]() {
        if (isFinished())
            return;
        if (const Error error = endError(reply, m_daemonError); error.isError()) {
            finish(error);
        } else if (!m_daemonError.isEmpty()) {
            // Type-3 frame: the daemon reported a failure inside the stream.
            finish(EngineError::classify(m_what, QString::fromUtf8(m_daemonError).trimmed(), 0));
        } else if (!m_demuxer.atFrameBoundary()) {
            finish(Error(Error::Code::Protocol, m_what,
                         QStringLiteral("the stream ended in the middle of a frame")));
        } else {
            finish(Error());
        }
    });
}

bool ContainerStream::write(const QByteArray &data)
{
    return m_reply && m_reply->write(data);
}

void ContainerStream::closeStdin()
{
    if (m_reply)
        m_reply->closeWrite();
}
