#pragma once

#include "common/Error.h"
#include "engine/Endpoint.h"

#include <QObject>
#include <QPointer>

class HttpReply;

// What the engine's long-running answers have in common (attach and logs, wait, JSON streams):
// each runs on its own connection, can be cancelled at any time, and finishes exactly once with
// an Error that is empty on success.
class EngineStream : public QObject
{
    Q_OBJECT

public:
    bool isFinished() const { return m_finished; }
    const Error &error() const { return m_error; }

    // Cancels wherever it is; finished follows with Error::Code::Cancelled.
    void cancel();

    // Used by DockerClient: the request is under way, or could not be made at all.
    virtual void bind(HttpReply *reply, const QString &what) = 0;
    void failBeforeStart(const Error &error);

signals:
    void finished();

protected:
    // endpoint: the engine the stream talks to, for what to do about a failure of its transport.
    EngineStream(const Endpoint &endpoint, QObject *parent);
    void setReply(HttpReply *reply, const QString &what);
    void finish(const Error &error);
    Error cancelledError() const;
    // Why the reply ended badly: cancelled, a transport failure, or an error status whose body
    // is the engine's message. Empty when it ended well and the stream's own checks decide.
    Error endError(const HttpReply *reply, const QByteArray &errorBody) const;

    QPointer<HttpReply> m_reply;
    QString m_what;
    bool m_cancelled = false;

private:
    Endpoint m_endpoint;
    Error m_error;
    bool m_finished = false;
};
