#pragma once

#include "Endpoint.h"
#include "EngineTypes.h"
#include "common/Result.h"
#include "http/HttpRequest.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

class ContainerStream;
class HttpClient;
class HttpReply;
class PortForwarder;
class SshTunnel;
class JsonStream;
class WaitCall;

// The Docker Engine API over the endpoint's connections (Unix socket, TCP, TLS or ssh). The API version is negotiated once with
// GET /_ping (min of ours and the engine's; engines below 1.40 are refused) and used as /vNN/ on
// every path. Short calls take a context object and a callback that runs once with a Result;
// streams are objects with signals (ContainerStream, WaitCall, JsonStream).
class DockerClient : public QObject
{
    Q_OBJECT

public:
    static constexpr int kMinApiMinor = 40; // DeviceRequests arrived in 1.40
    static constexpr int kMaxApiMinor = 51; // the newest API this client speaks (Docker 28.5)

    explicit DockerClient(Endpoint endpoint, QObject *parent = nullptr);
    ~DockerClient() override;

    const Endpoint &endpoint() const { return m_endpoint; }
    // "1.41" once negotiated, else empty.
    QString apiVersion() const { return m_apiVersion; }
    int apiMinor() const { return m_apiMinor; }
    // Known once negotiated: Podman sends a Libpod-API-Version header with every answer.
    EngineKind kind() const { return m_kind; }
    bool isPodman() const { return m_kind == EngineKind::Podman; }
    QString podmanVersion() const { return m_podmanVersion; } // "4.3.1"; empty on Docker
    // Now on the engine's clock, as far as the Date of its last /_ping answer tells (within a
    // second); this machine's clock until then. The GPU claims (GpuLedger) are judged by it, so
    // that a host whose clock is off neither lapses nor keeps them for others.
    QDateTime engineNow() const;
    bool engineClockKnown() const { return m_clockOffsetMs.has_value(); }
    // How far the clock behind an HTTP Date header (RFC 7231, "Sun, 06 Dec 2026 23:40:00 GMT")
    // is ahead of localNow, in ms; none when the header cannot be read.
    static std::optional<qint64> clockOffsetMs(const QByteArray &date, const QDateTime &localNow);
    // Podman before 5.4 ignores DeviceRequests on its Docker-compatible create: GPUs (CDI devices)
    // then go through /libpod/containers/create.
    bool needsLibpodCreate() const;

    template <typename T> using Callback = std::function<void(const Result<T> &)>;

    // Pings the engine and negotiates the version (again if asked). Result: the API version.
    void ping(QObject *context, Callback<QString> done);
    // Forgets the negotiated version and idle connections (after the engine went away).
    void reset();

    void version(QObject *context, Callback<QJsonObject> done);
    void info(QObject *context, Callback<EngineInfo> done);
    void images(QObject *context, Callback<QList<ImageSummary>> done);
    void inspectImage(const QString &reference, QObject *context, Callback<QJsonObject> done);

    // Result: the new container's id. Warnings from the engine are logged.
    void createContainer(const QJsonObject &body, const QString &name, QObject *context,
                         Callback<QString> done);
    // Podman's own create (a libpod SpecGenerator, LibpodCreateBody::build()); the
    // container is then driven through the compatible endpoints like any other.
    void createLibpodContainer(const QJsonObject &spec, QObject *context, Callback<QString> done);
    void startContainer(const QString &id, QObject *context, Callback<void> done);
    void stopContainer(const QString &id, int timeoutSeconds, QObject *context,
                       Callback<void> done);
    void killContainer(const QString &id, const QString &signal, QObject *context,
                       Callback<void> done);
    void removeContainer(const QString &id, bool force, QObject *context, Callback<void> done);
    void inspectContainer(const QString &id, QObject *context, Callback<QJsonObject> done);
    void listContainers(bool all, const QJsonObject &filters, QObject *context,
                        Callback<QJsonArray> done);

    // Streams. Each has its own connection and no timeout once the engine has answered.
    ContainerStream *attach(const QString &id, bool tty, bool withStdin = false);
    // tail: the last lines only (docker logs --tail); -1 for all of them.
    ContainerStream *logs(const QString &id, bool tty, bool follow, int tail = -1);
    // A swarm task's output (on a manager). With follow it stays open after the task ended.
    ContainerStream *taskLogs(const QString &taskId, bool tty, bool follow);
    WaitCall *wait(const QString &id, const QString &condition);
    // since (seconds since the epoch, the engine's clock): the engine's past events from then
    // first, in the order it logged them.
    JsonStream *events(const QJsonObject &filters = {}, qint64 since = 0);
    // Any endpoint that answers with a stream of JSON objects (events, pull progress).
    JsonStream *jsonStream(HttpRequest request);

    // A raw call with the version prefix: path starts with "/" (e.g. "/containers/json?all=1").
    // Result: the body, after an error status became an Error (with `what` as its first part).
    void call(const QByteArray &method, const QString &path, const QByteArray &jsonBody,
              const QString &what, QObject *context, Callback<QByteArray> done);
    // The same with extra headers (X-Registry-Auth for a service's private image).
    void call(const QByteArray &method, const QString &path, const QByteArray &jsonBody,
              const QList<QPair<QByteArray, QByteArray>> &headers, const QString &what,
              QObject *context, Callback<QByteArray> done);

    // Runs fn once the version is known (at once when it is), or with the negotiation error.
    void whenReady(QObject *context, std::function<void(const Error &)> fn);

    // The error with what to do about it on this kind of engine (a local socket, ssh, TLS).
    Error explain(const Error &error) const;

    HttpClient *http() const { return m_http; }
    // The engine's ssh connection, for ssh:// engines (commands on the host go over it); else null.
    SshTunnel *sshTunnel() const;
    // Forwards of the host's ports over the engine's own connection (ssh://); else null.
    PortForwarder *portForwarder() const;
    QByteArray versioned(const QString &path) const;

private:
    void negotiate();
    ContainerStream *logsAt(const QString &path, bool tty, const QString &what);
    template <typename T>
    void callJson(const QByteArray &method, const QString &path, const QByteArray &body,
                  const QString &what, QObject *context, Callback<T> done,
                  std::function<Result<T>(const QByteArray &)> convert);

    Endpoint m_endpoint;
    HttpClient *m_http;
    QString m_apiVersion;
    int m_apiMinor = 0;
    EngineKind m_kind = EngineKind::Docker;
    QString m_podmanVersion;
    std::optional<qint64> m_clockOffsetMs; // the engine's clock minus this machine's
    bool m_negotiating = false;
    struct Waiter
    {
        QPointer<QObject> context;
        std::function<void(const Error &)> fn;
    };
    QList<Waiter> m_waiters;
};
