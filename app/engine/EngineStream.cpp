#include "EngineStream.h"

#include "EngineError.h"
#include "http/HttpReply.h"

EngineStream::EngineStream(const Endpoint &endpoint, QObject *parent)
    : QObject(parent), m_endpoint(endpoint)
{
}

void EngineStream::setReply(HttpReply *reply, const QString &what)
{
    m_reply = reply;
    m_what = what;
}

Error EngineStream::cancelledError() const
{
    return Error(Error::Code::Cancelled, m_what, QStringLiteral("cancelled"));
}

Error EngineStream::endError(const HttpReply *reply, const QByteArray &errorBody) const
{
    if (m_cancelled)
        return cancelledError();
    if (reply->error().isError()) {
        return EngineError::explain(reply->error(), m_endpoint).withWhat(m_what);
    }
    if (reply->status() >= 300 && !reply->isUpgraded())
        return EngineError::fromResponse(m_what, reply->status(), errorBody);
    return Error();
}

void EngineStream::cancel()
{
    if (m_finished)
        return;
    m_cancelled = true;
    if (m_reply)
        m_reply->abort(); // the reply's finished handler reports the cancellation
    else
        finish(cancelledError());
}

void EngineStream::failBeforeStart(const Error &error)
{
    Error e = error;
    finish(m_what.isEmpty() ? e : e.withWhat(m_what));
}

void EngineStream::finish(const Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_error = error;
    emit finished();
}
