#include "JsonStream.h"

#include "EngineError.h"
#include "http/HttpReply.h"

#include <QJsonDocument>

JsonStream::JsonStream(QObject *parent) : QObject(parent) { }

void JsonStream::bind(HttpReply *reply, const QString &what)
{
    m_reply = reply;
    m_what = what.isEmpty() ? QStringLiteral("%1 %2").arg(QString::fromLatin1(reply->request().method),
                                                          QString::fromUtf8(reply->request().target))
                            : what;
    connect(reply, &HttpReply::headReceived, this, [this, reply]() {
        if (reply->status() < 300)
            emit started();
    });
    connect(reply, &HttpReply::dataReceived, this, [this, reply](const QByteArray &data) {
        if (m_buffer.size() + data.size() > 16 * 1024 * 1024) {
            reply->abort();
            finish(Error(Error::Code::Protocol, m_what, QStringLiteral("a JSON message larger than 16 MiB")));
            return;
        }
        m_buffer.append(data);
        if (reply->status() < 300)
            parseBuffered();
    });
    connect(reply, &HttpReply::finished, this, [this, reply]() {
        if (m_cancelled) {
            finish(Error(Error::Code::Cancelled, m_what, QStringLiteral("cancelled")));
        } else if (reply->error().isError()) {
            Error error = reply->error();
            finish(error.withWhat(m_what));
        } else if (reply->status() >= 300) {
            finish(EngineError::fromResponse(m_what, reply->status(), m_buffer));
        } else {
            parseBuffered();
            finish(Error());
        }
    });
}

// The engine writes one object per line; a line may arrive in pieces.
void JsonStream::parseBuffered()
{
    qsizetype start = 0;
    while (!m_finished) {
        const qsizetype newline = m_buffer.indexOf('\n', start);
        if (newline < 0)
            break;
        const QByteArray line = m_buffer.mid(start, newline - start).trimmed();
        start = newline + 1;
        if (line.isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            emit object(doc.object());
    }
    m_buffer.remove(0, start);
}

void JsonStream::failBeforeStart(const Error &error)
{
    finish(error);
}

void JsonStream::cancel()
{
    if (m_finished)
        return;
    m_cancelled = true;
    if (m_reply)
        m_reply->abort();
    else
        finish(Error(Error::Code::Cancelled, m_what, QStringLiteral("cancelled")));
}

void JsonStream::finish(const Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_error = error;
    emit finished();
}
