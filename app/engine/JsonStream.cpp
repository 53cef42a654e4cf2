#include "JsonStream.h"

#include "http/HttpReply.h"

#include <QJsonDocument>

JsonStream::JsonStream(const Endpoint &endpoint, QObject *parent) : EngineStream(endpoint, parent)
{
}

void JsonStream::bind(HttpReply *reply, const QString &what)
{
    setReply(reply, what.isEmpty()
                        ? QStringLiteral("%1 %2").arg(QString::fromLatin1(reply->request().method),
                                                      QString::fromUtf8(reply->request().target))
                        : what);
    connect(reply, &HttpReply::headReceived, this, [this, reply]() {
        if (reply->status() < 300)
            emit started();
    });
    connect(reply, &HttpReply::dataReceived, this, [this, reply](const QByteArray &data) {
        if (m_buffer.size() + data.size() > 16 * 1024 * 1024) {
            reply->abort();
            finish(Error(Error::Code::Protocol, m_what,
                         QStringLiteral("a JSON message larger than 16 MiB")));
            return;
        }
        m_buffer.append(data);
        if (reply->status() < 300)
            parseBuffered();
    });
    connect(reply, &HttpReply::finished, this, [this, reply]() {
        if (const Error error = endError(reply, m_buffer); error.isError()) {
            finish(error);
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
    while (!isFinished()) {
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
