#include "SwarmLauncher.h"

#include "LaunchSpec.h"
#include "SwarmService.h"

#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/SwarmNodes.h"
#include "registry/CredentialLookup.h"
#include "registry/RegistryName.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace {

constexpr int kLaunchFailed = 125;

bool isTerminal(const QString &state)
{
    static const QStringList terminal = {QStringLiteral("complete"), QStringLiteral("failed"),
                                         QStringLiteral("shutdown"), QStringLiteral("rejected"),
                                         QStringLiteral("orphaned"), QStringLiteral("remove")};
    return terminal.contains(state);
}

bool hasRun(const QString &state)
{
    return state == QLatin1String("starting") || state == QLatin1String("running")
           || isTerminal(state);
}

int channelIndex(StreamDemuxer::Channel channel)
{
    return channel == StreamDemuxer::Channel::Stderr ? 1 : 0;
}

} // namespace

SwarmLauncher::SwarmLauncher(DockerClient *client, QObject *parent)
    : QObject(parent), m_client(client), m_calls(new QObject(this))
{
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &SwarmLauncher::poll);
}

void SwarmLauncher::launch(const LaunchSpec &spec, int replicas, bool detach, const QString &name)
{
    const Result<SwarmService::Plan> plan = SwarmService::plan(spec, replicas, name);
    if (!plan) {
        fail(plan.error());
        return;
    }
    for (const QString &sentence : plan.value().notes)
        emit note(sentence);
    m_replicas = replicas;
    m_tty = spec.tty;
    // The nodes pull the image with the login kept for its registry, as docker service create
    // --with-registry-auth (the CLI's default) sends it.
    const QByteArray body = QJsonDocument(plan.value().body).toJson(QJsonDocument::Compact);
    CredentialLookup::find(
        RegistryName::ofImage(spec.image), m_client->isPodman(), m_calls,
        [this, body, detach](const Result<RegistryCredential> &found) {
            QList<QPair<QByteArray, QByteArray>> headers;
            if (!found)
                emit note(found.error().message()); // a public image needs no login
            else if (!found.value().isEmpty())
                headers.append({"X-Registry-Auth", found.value().registryAuthHeader()});
            create(body, headers, detach);
        });
}

void SwarmLauncher::create(const QByteArray &body,
                           const QList<QPair<QByteArray, QByteArray>> &headers, bool detach)
{
    m_client->call("POST", QStringLiteral("/services/create"), body, headers,
                   QStringLiteral("Could not create the swarm service"), m_calls,
                   [this, detach](const Result<QByteArray> &created) {
                       if (!created) {
                           fail(created.error());
                           return;
                       }
                       m_serviceId = QJsonDocument::fromJson(created.value())
                                         .object()
                                         .value(QStringLiteral("ID"))
                                         .toString();
                       if (m_stopping) {
                           cancelNow();
                           return;
                       }
                       if (detach) {
                           m_exitCode = 0;
                           done();
                           return;
                       }
                       m_poll.start();
                       poll();
                   });
}

void SwarmLauncher::stop()
{
    if (m_finished || m_stopping)
        return;
    m_stopping = true;
    m_poll.stop();
    // Before the create answered, its answer is awaited: dropping it would leave the service.
    if (!m_serviceId.isEmpty())
        cancelNow();
}

void SwarmLauncher::cancelNow()
{
    removeService([this]() {
        m_error = Error(Error::Code::Cancelled, QStringLiteral("The swarm launch was interrupted"),
                        QStringLiteral("its service was removed"));
        if (!m_exitCode || *m_exitCode == 0)
            m_exitCode = 130; // as a shell reports an interrupted command
        done();
    });
}

void SwarmLauncher::poll()
{
    if (m_polling || m_finished || m_stopping)
        return;
    m_polling = true;
    const QJsonObject filters{{QStringLiteral("service"), QJsonArray{m_serviceId}}};
    const QString path = QStringLiteral("/tasks?filters=")
                         + QString::fromLatin1(QUrl::toPercentEncoding(QString::fromUtf8(
                             QJsonDocument(filters).toJson(QJsonDocument::Compact))));
    m_client->call("GET", path, {}, QStringLiteral("Could not list the service's tasks"), m_calls,
                   [this](const Result<QByteArray> &listed) {
                       m_polling = false;
                       if (m_stopping)
                           return;
                       if (!listed) {
                           removeService([this, error = listed.error()]() { fail(error); });
                           return;
                       }
                       onTasks(QJsonDocument::fromJson(listed.value()).array());
                   });
}

void SwarmLauncher::onTasks(const QJsonArray &tasks)
{
    if (m_stopping)
        return;
    QString pendingReason;
    for (const QJsonValue &value : tasks) {
        const QJsonObject task = value.toObject();
        const QString id = task.value(QStringLiteral("ID")).toString();
        const QJsonObject status = task.value(QStringLiteral("Status")).toObject();
        const QString state = status.value(QStringLiteral("State")).toString();
        Task &entry = m_tasks[id];
        if (state == QLatin1String("pending")
            && !status.value(QStringLiteral("Err")).toString().isEmpty())
            pendingReason = status.value(QStringLiteral("Err")).toString();
        if (!entry.live && !entry.ended
            && (state == QLatin1String("starting") || state == QLatin1String("running")))
            follow(id);
        if (isTerminal(state) && !entry.ended) {
            entry.ended = true;
            const QJsonObject container = status.value(QStringLiteral("ContainerStatus")).toObject();
            // A task whose container never started ("starting container failed: …", with
            // Message "starting"; or rejected before that) failed the launch itself: 125 with
            // the task's own words, whatever exit code the engine recorded for it.
            const bool neverStarted = state == QLatin1String("rejected")
                                      || (state == QLatin1String("failed")
                                          && status.value(QStringLiteral("Message")).toString()
                                                 != QLatin1String("started"));
            int code = kLaunchFailed;
            if (!neverStarted && hasRun(state) && container.contains(QStringLiteral("ExitCode")))
                code = container.value(QStringLiteral("ExitCode")).toInt();
            if (neverStarted && !m_error.isError())
                m_error = Error(Error::Code::Http,
                                QStringLiteral("The swarm could not start the task"),
                                status.value(QStringLiteral("Err")).toString());
            if (code != 0 && (!m_exitCode || *m_exitCode == 0))
                m_exitCode = code;
            else if (!m_exitCode)
                m_exitCode = 0;
            flush(id);
        }
    }

    // Waiting for resources no node has: give up with the scheduler's words.
    if (!pendingReason.isEmpty()) {
        if (!m_pendingSince.isValid())
            m_pendingSince.start();
        m_pendingReason = pendingReason;
        if (m_pendingSince.elapsed() >= kPendingGiveUpMs) {
            m_poll.stop();
            const Error error(Error::Code::Unsupported,
                              QStringLiteral("The swarm cannot place the task"), m_pendingReason,
                              QStringLiteral("no node has the NVIDIA-GPU resources it reserves "
                                             "free; see gpudeck swarm nodes"));
            removeService([this, error]() {
                m_exitCode = kLaunchFailed;
                fail(error);
            });
            return;
        }
    } else {
        m_pendingSince.invalidate();
    }
    maybeDone();
}

void SwarmLauncher::follow(const QString &id)
{
    ContainerStream *stream = m_client->taskLogs(id, m_tty, true);
    stream->setParent(m_calls);
    m_tasks[id].live = stream;
    connect(stream, &ContainerStream::output, m_calls,
            [this, id](StreamDemuxer::Channel channel, const QByteArray &data) {
                auto it = m_tasks.find(id);
                if (it != m_tasks.end() && !it->flushed)
                    passOn(*it, channel, data, false);
            });
}

void SwarmLauncher::flush(const QString &id)
{
    // A followed task's logs stay open after it ended; the whole log, read once more without
    // follow, has what the live stream had not brought yet.
    Task &entry = m_tasks[id];
    entry.skip[0] = entry.shown[0];
    entry.skip[1] = entry.shown[1];
    if (entry.live) {
        entry.live->disconnect(m_calls);
        entry.live->cancel();
        entry.live->deleteLater();
    }
    ContainerStream *all = m_client->taskLogs(id, m_tty, false);
    all->setParent(m_calls);
    connect(all, &ContainerStream::output, m_calls,
            [this, id](StreamDemuxer::Channel channel, const QByteArray &data) {
                auto it = m_tasks.find(id);
                if (it != m_tasks.end())
                    passOn(*it, channel, data, true);
            });
    connect(all, &ContainerStream::finished, m_calls, [this, id, all]() {
        all->deleteLater();
        m_tasks[id].flushed = true;
        maybeDone();
    });
}

void SwarmLauncher::passOn(Task &task, StreamDemuxer::Channel channel, const QByteArray &data,
                           bool replay)
{
    if (channel != StreamDemuxer::Channel::Stdout && channel != StreamDemuxer::Channel::Stderr)
        return;
    const int c = channelIndex(channel);
    QByteArray rest = data;
    if (replay) {
        const qint64 skip = qMin<qint64>(task.skip[c], rest.size());
        task.skip[c] -= skip;
        rest.remove(0, skip);
        if (rest.isEmpty())
            return;
    }
    task.shown[c] += rest.size();
    emit output(channel, rest);
}

void SwarmLauncher::maybeDone()
{
    if (m_finished || m_stopping)
        return;
    int flushed = 0;
    for (const Task &task : std::as_const(m_tasks))
        flushed += task.flushed ? 1 : 0;
    if (flushed < m_replicas)
        return;
    m_poll.stop();
    removeService([this]() { done(); });
}

void SwarmLauncher::removeService(std::function<void()> then)
{
    if (m_serviceId.isEmpty()) {
        then();
        return;
    }
    m_client->call("DELETE", QStringLiteral("/services/") + m_serviceId, {},
                   QStringLiteral("Could not remove the swarm service"), m_calls,
                   [this, then = std::move(then)](const Result<QByteArray> &removed) {
                       if (!removed && removed.error().httpStatus() != 404 && !m_error.isError())
                           m_error = removed.error();
                       then();
                   });
}

void SwarmLauncher::fail(const Error &error)
{
    // An engine that is no swarm manager answers 503: say to run it against one.
    if (!m_error.isError())
        m_error = SwarmNodes::notAManager(error);
    if (!m_exitCode)
        m_exitCode = kLaunchFailed;
    done();
}

void SwarmLauncher::done()
{
    if (m_finished)
        return;
    m_finished = true;
    m_poll.stop();
    // Late answers and open log streams reach nobody.
    m_calls->deleteLater();
    m_calls = nullptr;
    emit finished();
}
