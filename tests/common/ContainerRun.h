#pragma once

#include "Await.h"

#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/WaitCall.h"

#include <QJsonObject>
#include <QTest>

#include <memory>

// A container started the way the CLI launches, so that no output is lost: create, attach, wait
// (once its headers are in), start. It then runs while the test watches stream and wait; out and
// err fill up as its output comes. error names the step that failed (the rest may be null then).
struct StartedContainer
{
    QString id;
    std::unique_ptr<ContainerStream> stream;
    std::unique_ptr<WaitCall> wait;
    std::shared_ptr<QByteArray> out = std::make_shared<QByteArray>();
    std::shared_ptr<QByteArray> err = std::make_shared<QByteArray>();
    Error error;
};

// attach, wait with condition ("next-exit", "removed"), start: for a container already created.
inline StartedContainer startCreated(DockerClient &client, const QString &id,
                                     const QString &condition, int stepTimeoutMs = 30000)
{
    StartedContainer run;
    run.id = id;
    run.stream.reset(client.attach(id, false));
    QObject::connect(run.stream.get(), &ContainerStream::output, run.stream.get(),
                     [out = run.out, err = run.err](StreamDemuxer::Channel channel,
                                                    const QByteArray &data) {
                         (channel == StreamDemuxer::Channel::Stdout ? *out : *err).append(data);
                     });
    ContainerStream *stream = run.stream.get();
    if (!QTest::qWaitFor([stream]() { return stream->isStarted() || stream->isFinished(); },
                         stepTimeoutMs)
        || !stream->isStarted()) {
        run.error = stream->error().isError()
                        ? stream->error()
                        : Error(Error::Code::Timeout, QStringLiteral("test"),
                                QStringLiteral("the attach did not start in time"));
        return run;
    }
    run.wait.reset(client.wait(id, condition));
    WaitCall *wait = run.wait.get();
    if (!QTest::qWaitFor([wait]() { return wait->isReady() || wait->isFinished(); }, stepTimeoutMs)
        || !wait->isReady()) {
        run.error = wait->isFinished() ? wait->result().error()
                                       : Error(Error::Code::Timeout, QStringLiteral("test"),
                                               QStringLiteral("the wait was not ready in time"));
        return run;
    }
    const Result<void> started = await<void>(
        [&](QObject *ctx, DockerClient::Callback<void> cb) { client.startContainer(id, ctx, cb); });
    if (!started)
        run.error = started.error();
    return run;
}

// create from body, then startCreated().
inline StartedContainer startContainer(DockerClient &client, const QJsonObject &body,
                                       const QString &condition, int stepTimeoutMs = 30000)
{
    const Result<QString> created = await<QString>(
        [&](QObject *ctx, DockerClient::Callback<QString> cb) {
            client.createContainer(body, {}, ctx, cb);
        });
    if (!created) {
        StartedContainer run;
        run.error = created.error();
        return run;
    }
    return startCreated(client, created.value(), condition, stepTimeoutMs);
}
