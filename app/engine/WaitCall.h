#pragma once

#include "EngineStream.h"
#include "common/Result.h"

// POST /containers/{id}/wait: `ready` once the engine has sent its headers (only then is it safe
// to start the container), `finished` when the container reached the condition.
class WaitCall : public EngineStream
{
    Q_OBJECT

public:
    WaitCall(const Endpoint &endpoint, QObject *parent);

    bool isReady() const { return m_ready; }
    // The exit code, or why waiting failed.
    Result<qint64> result() const;

    void bind(HttpReply *reply, const QString &what) override;

signals:
    void ready();

private:
    QByteArray m_body;
    qint64 m_exitCode = -1;
    bool m_ready = false;
};
