#include "DockerClient.h"

#include "ContainerStream.h"
#include "EngineError.h"
#include "EngineLogging.h"
#include "JsonStream.h"
#include "WaitCall.h"
#include "common/JsonStrings.h"
#include "http/HttpClient.h"
#include "http/HttpReply.h"
#include "transport/Connection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <QUrlQuery>

namespace {

QString percentEncoded(const QString &part)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(part));
}

Result<QJsonObject> parseObject(const QByteArray &body, const QString &what)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (!doc.isObject()) {
        return Error(Error::Code::Protocol, what,
                     QStringLiteral("the engine's answer is not a JSON object (%1)")
                         .arg(error.error != QJsonParseError::NoError
                                  ? error.errorString()
                                  : QStringLiteral("wrong type")));
    }
    return doc.object();
}

Result<QJsonArray> parseArray(const QByteArray &body, const QString &what)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (!doc.isArray()) {
        return Error(Error::Code::Protocol, what,
                     QStringLiteral("the engine's answer is not a JSON list (%1)")
                         .arg(error.error != QJsonParseError::NoError
                                  ? error.errorString()
                                  : QStringLiteral("wrong type")));
    }
    return doc.array();
}

} // namespace

DockerClient::DockerClient(Endpoint endpoint, QObject *parent)
    : QObject(parent),
      m_endpoint(std::move(endpoint)),
      m_http(new HttpClient(m_endpoint.connector(), this))
{
}

SshTunnel *DockerClient::sshTunnel() const
{
    return m_http->connector()->sshTunnel();
}

PortForwarder *DockerClient::portForwarder() const
{
    return m_http->connector()->portForwarder();
}

Error DockerClient::explain(const Error &error) const
{
    return EngineError::explain(error, m_endpoint);
}

DockerClient::~DockerClient() = default;

QByteArray DockerClient::versioned(const QString &path) const
{
    return QByteArrayLiteral("/v") + m_apiVersion.toLatin1() + path.toUtf8();
}

bool DockerClient::needsLibpodCreate() const
{
    return isPodman() && compareDottedVersions(m_podmanVersion, QStringLiteral("5.4")) < 0;
}

void DockerClient::reset()
{
    m_apiVersion.clear();
    m_apiMinor = 0;
    // streams that still run are left alone: they fail on their own if the engine is gone
    m_http->dropIdle();
}

void DockerClient::whenReady(QObject *context, std::function<void(const Error &)> fn)
{
    if (!m_apiVersion.isEmpty()) {
        fn(Error());
        return;
    }
    m_waiters.append({QPointer<QObject>(context), std::move(fn)});
    if (!m_negotiating)
        negotiate();
}

void DockerClient::negotiate()
{
    m_negotiating = true;
    HttpRequest request = HttpRequest::get("/_ping");
    request.headerTimeoutMs = 15000;
    HttpReply *reply = m_http->send(request);
    connect(reply, &HttpReply::finished, this, [this, reply]() {
        m_negotiating = false;
        Error error = reply->error();
        const QString where = m_endpoint.url;
        if (!error.isError() && reply->status() != 200) {
            error = EngineError::fromResponse(
                QStringLiteral("The Docker engine at %1 is not ready").arg(where), reply->status(),
                reply->body());
        }
        if (!error.isError()) {
            const QByteArray api = reply->head().header("Api-Version");
            const QList<QByteArray> parts = api.split('.');
            bool majorOk = false;
            bool minorOk = false;
            const int major = parts.value(0).toInt(&majorOk);
            const int minor = parts.value(1).toInt(&minorOk);
            const QString server = QString::fromLatin1(reply->head().header("Server"));
            const QByteArray libpod = reply->head().header("Libpod-API-Version");
            m_kind = libpod.isEmpty() ? EngineKind::Docker : EngineKind::Podman;
            m_clockOffsetMs = clockOffsetMs(reply->head().header("Date"),
                                            QDateTime::currentDateTimeUtc());
            m_podmanVersion = QString::fromLatin1(libpod);
            if (!majorOk || !minorOk || parts.size() != 2 || major != 1) {
                error = Error(Error::Code::Protocol,
                              QStringLiteral("The endpoint %1 is not a Docker engine").arg(where),
                              QStringLiteral("its /_ping answer has no API version"),
                              QStringLiteral("check --host, DOCKER_HOST or the docker context"));
            } else if (minor < kMinApiMinor && m_kind == EngineKind::Docker) {
                error = Error(Error::Code::EngineTooOld,
                              QStringLiteral("The Docker engine at %1 is too old").arg(where),
                              QStringLiteral("it speaks API %1%2, and GPU requests need API 1.%3 "
                                             "(Docker 19.03) or newer")
                                  .arg(QString::fromLatin1(api),
                                       server.isEmpty() ? QString()
                                                        : QStringLiteral(" (%1)").arg(server))
                                  .arg(kMinApiMinor),
                              QStringLiteral("update the Docker engine"));
            } else {
                m_apiMinor = qMin(minor, kMaxApiMinor);
                m_apiVersion = QStringLiteral("1.%1").arg(m_apiMinor);
                qCDebug(lcEngine) << "negotiated API" << m_apiVersion << "with" << where << server;
            }
        }
        error = explain(error);
        const QList<Waiter> waiters = std::exchange(m_waiters, {});
        for (const Waiter &waiter : waiters) {
            if (waiter.context)
                waiter.fn(error);
        }
    });
}

QDateTime DockerClient::engineNow() const
{
    return QDateTime::currentDateTimeUtc().addMSecs(m_clockOffsetMs.value_or(0));
}

std::optional<qint64> DockerClient::clockOffsetMs(const QByteArray &date, const QDateTime &localNow)
{
    // "GMT" is the only zone HTTP dates use; Qt's RFC 2822 reading wants it as an offset.
    QByteArray text = date.trimmed();
    if (text.endsWith(" GMT"))
        text.replace(text.size() - 3, 3, "+0000");
    const QDateTime engine = QDateTime::fromString(QString::fromLatin1(text), Qt::RFC2822Date);
    if (!engine.isValid())
        return std::nullopt;
    // The header drops the milliseconds: the engine's second began up to one second earlier.
    return localNow.msecsTo(engine) + 500;
}

void DockerClient::ping(QObject *context, Callback<QString> done)
{
    m_apiVersion.clear();
    whenReady(context, [this, done = std::move(done)](const Error &error) {
        if (error.isError())
            done(error);
        else
            done(m_apiVersion);
    });
}

void DockerClient::call(const QByteArray &method, const QString &path, const QByteArray &jsonBody,
                        const QString &what, QObject *context, Callback<QByteArray> done)
{
    call(method, path, jsonBody, {}, what, context, std::move(done));
}

void DockerClient::call(const QByteArray &method, const QString &path, const QByteArray &jsonBody,
                        const QList<QPair<QByteArray, QByteArray>> &headers, const QString &what,
                        QObject *context, Callback<QByteArray> done)
{
    QPointer<QObject> guard(context);
    whenReady(context, [this, method, path, jsonBody, headers, what, guard,
                        done = std::move(done)](const Error &error) {
        if (error.isError()) {
            Error e = error;
            done(e.withWhat(what.isEmpty() ? e.what() : what + QStringLiteral(": ") + e.what()));
            return;
        }
        HttpRequest request;
        request.method = method;
        request.target = versioned(path);
        request.body = jsonBody;
        if (!jsonBody.isEmpty())
            request.addHeader("Content-Type", "application/json");
        request.headers += headers;
        HttpReply *reply = m_http->send(request);
        connect(reply, &HttpReply::finished, guard ? guard.data() : this,
                [this, reply, what, guard, done]() {
                    if (!guard)
                        return;
                    if (reply->error().isError()) {
                        Error e = explain(reply->error());
                        done(e.withWhat(what.isEmpty() ? e.what() : what));
                    } else if (reply->status() >= 400) {
                        done(EngineError::fromResponse(what, reply->status(), reply->body()));
                    } else {
                        done(reply->body());
                    }
                });
    });
}

template <typename T>
void DockerClient::callJson(const QByteArray &method, const QString &path, const QByteArray &body,
                            const QString &what, QObject *context, Callback<T> done,
                            std::function<Result<T>(const QByteArray &)> convert)
{
    call(method, path, body, what, context, [done, convert](const Result<QByteArray> &result) {
        if (!result)
            done(result.error());
        else
            done(convert(result.value()));
    });
}

void DockerClient::version(QObject *context, Callback<QJsonObject> done)
{
    const QString what = QStringLiteral("Could not read the engine's version");
    callJson<QJsonObject>("GET", QStringLiteral("/version"), {}, what, context, std::move(done),
                          [what](const QByteArray &body) { return parseObject(body, what); });
}

void DockerClient::info(QObject *context, Callback<EngineInfo> done)
{
    const QString what = QStringLiteral("Could not read the engine's information");
    callJson<EngineInfo>(
        "GET", QStringLiteral("/info"), {}, what, context, std::move(done),
        [this, what](const QByteArray &body) -> Result<EngineInfo> {
            const Result<QJsonObject> parsed = parseObject(body, what);
            if (!parsed)
                return parsed.error();
            const QJsonObject &o = parsed.value();
            EngineInfo info;
            info.raw = o;
            info.kind = m_kind;
            info.serverVersion = o.value(QStringLiteral("ServerVersion")).toString();
            if (info.isPodman() && !m_podmanVersion.isEmpty())
                info.serverVersion = m_podmanVersion;
            info.apiVersion = m_apiVersion;
            info.defaultRuntime = o.value(QStringLiteral("DefaultRuntime")).toString();
            info.runtimes = o.value(QStringLiteral("Runtimes")).toObject().keys();
            info.runtimes.sort();
            info.cdiSpecDirs = jsonStrings(o.value(QStringLiteral("CDISpecDirs")));
            // Podman reads these two whatever its configuration says and does not list them.
            if (info.isPodman() && info.cdiSpecDirs.isEmpty())
                info.cdiSpecDirs = {QStringLiteral("/etc/cdi"), QStringLiteral("/var/run/cdi")};
            info.discoveredDevices = o.value(QStringLiteral("DiscoveredDevices")).toArray();
            info.operatingSystem = o.value(QStringLiteral("OperatingSystem")).toString();
            info.kernelVersion = o.value(QStringLiteral("KernelVersion")).toString();
            info.cpus = o.value(QStringLiteral("NCPU")).toInt();
            info.memoryBytes = qint64(o.value(QStringLiteral("MemTotal")).toDouble());
            info.rootDir = o.value(QStringLiteral("DockerRootDir")).toString();
            return info;
        });
}

void DockerClient::images(QObject *context, Callback<QList<ImageSummary>> done)
{
    const QString what = QStringLiteral("Could not list the engine's images");
    callJson<QList<ImageSummary>>(
        "GET", QStringLiteral("/images/json"), {}, what, context, std::move(done),
        [what](const QByteArray &body) -> Result<QList<ImageSummary>> {
            const Result<QJsonArray> parsed = parseArray(body, what);
            if (!parsed)
                return parsed.error();
            QList<ImageSummary> images;
            images.reserve(parsed.value().size());
            for (const QJsonValue &value : parsed.value()) {
                const QJsonObject o = value.toObject();
                ImageSummary image;
                image.id = o.value(QStringLiteral("Id")).toString();
                image.repoTags = jsonStrings(o.value(QStringLiteral("RepoTags")));
                image.size = qint64(o.value(QStringLiteral("Size")).toDouble());
                image.created = QDateTime::fromSecsSinceEpoch(
                    qint64(o.value(QStringLiteral("Created")).toDouble()), Qt::UTC);
                image.labels = o.value(QStringLiteral("Labels")).toObject();
                images.append(image);
            }
            return images;
        });
}

void DockerClient::inspectImage(const QString &reference, QObject *context,
                                Callback<QJsonObject> done)
{
    const QString what = QStringLiteral("Could not inspect image %1").arg(reference);
    callJson<QJsonObject>("GET", QStringLiteral("/images/%1/json").arg(percentEncoded(reference)),
                          {}, what, context, std::move(done),
                          [what](const QByteArray &body) { return parseObject(body, what); });
}

void DockerClient::createContainer(const QJsonObject &body, const QString &name, QObject *context,
                                   Callback<QString> done)
{
    const QString image = body.value(QStringLiteral("Image")).toString();
    const QString what = QStringLiteral("Could not create a container from %1").arg(image);
    QString path = QStringLiteral("/containers/create");
    if (!name.isEmpty())
        path += QStringLiteral("?name=") + percentEncoded(name);
    callJson<QString>("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), what,
                      context, std::move(done), [what](const QByteArray &reply) -> Result<QString> {
                          const Result<QJsonObject> parsed = parseObject(reply, what);
                          if (!parsed)
                              return parsed.error();
                          const QString id = parsed.value().value(QStringLiteral("Id")).toString();
                          if (id.isEmpty())
                              return Error(Error::Code::Protocol, what,
                                           QStringLiteral("the engine returned no container id"));
                          const QJsonArray warnings =
                              parsed.value().value(QStringLiteral("Warnings")).toArray();
                          for (const QJsonValue &warning : warnings)
                              qCInfo(lcEngine) << "create warning:" << warning.toString();
                          return id;
                      });
}

void DockerClient::createLibpodContainer(const QJsonObject &spec, QObject *context,
                                         Callback<QString> done)
{
    const QString image = spec.value(QStringLiteral("image")).toString();
    const QString what = QStringLiteral("Could not create a container from %1").arg(image);
    QPointer<QObject> guard(context);
    whenReady(context, [this, spec, what, guard, done = std::move(done)](const Error &error) {
        if (!guard)
            return;
        if (error.isError()) {
            Error e = error;
            done(e.withWhat(what));
            return;
        }
        if (!isPodman()) {
            done(Error(Error::Code::Unsupported, what, QStringLiteral("the engine is not Podman")));
            return;
        }
        // Podman's own API is versioned by Podman's version, not the Docker API's.
        HttpRequest request;
        request.method = "POST";
        request.target = QByteArrayLiteral("/v") + m_podmanVersion.toLatin1()
                         + "/libpod/containers/create";
        request.body = QJsonDocument(spec).toJson(QJsonDocument::Compact);
        request.addHeader("Content-Type", "application/json");
        HttpReply *reply = m_http->send(request);
        connect(reply, &HttpReply::finished, guard.data(), [this, reply, what, done]() {
            if (reply->error().isError()) {
                Error e = explain(reply->error());
                done(e.withWhat(what));
                return;
            }
            if (reply->status() >= 400) {
                done(EngineError::fromResponse(what, reply->status(), reply->body()));
                return;
            }
            const Result<QJsonObject> parsed = parseObject(reply->body(), what);
            if (!parsed) {
                done(parsed.error());
                return;
            }
            const QString id = parsed.value().value(QStringLiteral("Id")).toString();
            if (id.isEmpty())
                done(Error(Error::Code::Protocol, what,
                           QStringLiteral("the engine returned no container id")));
            else
                done(id);
        });
    });
}

static DockerClient::Callback<QByteArray> ignoreBody(DockerClient::Callback<void> done)
{
    return [done = std::move(done)](const Result<QByteArray> &result) {
        if (!result)
            done(result.error());
        else
            done(Result<void>());
    };
}

void DockerClient::startContainer(const QString &id, QObject *context, Callback<void> done)
{
    // 304 (already started) is a success, like the CLI treats it.
    call("POST", QStringLiteral("/containers/%1/start").arg(percentEncoded(id)), {},
         QStringLiteral("Could not start the container"), context, ignoreBody(std::move(done)));
}

void DockerClient::stopContainer(const QString &id, int timeoutSeconds, QObject *context,
                                 Callback<void> done)
{
    call("POST",
         QStringLiteral("/containers/%1/stop?t=%2").arg(percentEncoded(id)).arg(timeoutSeconds), {},
         QStringLiteral("Could not stop the container"), context, ignoreBody(std::move(done)));
}

void DockerClient::killContainer(const QString &id, const QString &signal, QObject *context,
                                 Callback<void> done)
{
    call("POST",
         QStringLiteral("/containers/%1/kill?signal=%2")
             .arg(percentEncoded(id), percentEncoded(signal)),
         {}, QStringLiteral("Could not signal the container"), context,
         ignoreBody(std::move(done)));
}

void DockerClient::removeContainer(const QString &id, bool force, QObject *context,
                                   Callback<void> done)
{
    const QString path = QStringLiteral("/containers/%1?force=%2")
                             .arg(percentEncoded(id),
                                  force ? QStringLiteral("1") : QStringLiteral("0"));
    const QString what = QStringLiteral("Could not remove the container");
    if (!force) {
        call("DELETE", path, {}, what, context, ignoreBody(std::move(done)));
        return;
    }
    // Podman's forced removal first stops the container with its grace period (10 s for a
    // program that ignores SIGTERM), where dockerd kills it at once: on Podman, kill it first, as
    // docker does. A container that is not running refuses the kill; the removal goes on.
    QPointer<QObject> guard(context);
    whenReady(context,
              [this, id, path, what, guard, done = std::move(done)](const Error &) mutable {
                  if (!guard)
                      return;
                  if (!isPodman()) {
                      call("DELETE", path, {}, what, guard.data(), ignoreBody(std::move(done)));
                      return;
                  }
                  killContainer(id, QStringLiteral("KILL"), guard.data(),
                                [this, path, what, guard,
                                 done = std::move(done)](const Result<void> &) mutable {
                                    if (guard)
                                        call("DELETE", path, {}, what, guard.data(),
                                             ignoreBody(std::move(done)));
                                });
              });
}

void DockerClient::inspectContainer(const QString &id, QObject *context, Callback<QJsonObject> done)
{
    const QString what = QStringLiteral("Could not inspect the container");
    callJson<QJsonObject>("GET", QStringLiteral("/containers/%1/json").arg(percentEncoded(id)), {},
                          what, context, std::move(done),
                          [what](const QByteArray &body) { return parseObject(body, what); });
}

void DockerClient::listContainers(bool all, const QJsonObject &filters, QObject *context,
                                  Callback<QJsonArray> done)
{
    QString path = QStringLiteral("/containers/json?all=%1").arg(all ? 1 : 0);
    if (!filters.isEmpty()) {
        path += QStringLiteral("&filters=")
                + percentEncoded(
                    QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)));
    }
    const QString what = QStringLiteral("Could not list containers");
    callJson<QJsonArray>("GET", path, {}, what, context, std::move(done),
                         [what](const QByteArray &body) { return parseArray(body, what); });
}

ContainerStream *DockerClient::attach(const QString &id, bool tty, bool withStdin)
{
    auto *stream = new ContainerStream(tty, m_endpoint, this);
    QPointer<ContainerStream> guard(stream);
    whenReady(stream, [this, guard, id, withStdin](const Error &error) {
        if (!guard)
            return;
        if (error.isError()) {
            guard->failBeforeStart(error);
            return;
        }
        HttpRequest request;
        request.method = "POST";
        request.target = versioned(
            QStringLiteral("/containers/%1/attach?stream=1&stdout=1&stderr=1%2")
                .arg(percentEncoded(id), withStdin ? QStringLiteral("&stdin=1") : QString()));
        request.stream = true;
        request.upgrade = true;
        guard->bind(m_http->send(request), QStringLiteral("Could not attach to the container"));
    });
    return stream;
}

ContainerStream *DockerClient::logs(const QString &id, bool tty, bool follow, int tail)
{
    return logsAt(QStringLiteral("/containers/%1/logs?stdout=1&stderr=1&follow=%2&tail=%3")
                      .arg(percentEncoded(id))
                      .arg(follow ? 1 : 0)
                      .arg(tail < 0 ? QStringLiteral("all") : QString::number(tail)),
                  tty, QStringLiteral("Could not read the container's logs"));
}

ContainerStream *DockerClient::taskLogs(const QString &taskId, bool tty, bool follow)
{
    return logsAt(QStringLiteral("/tasks/%1/logs?stdout=1&stderr=1&follow=%2")
                      .arg(percentEncoded(taskId))
                      .arg(follow ? 1 : 0),
                  tty, QStringLiteral("Could not read the swarm task's logs"));
}

ContainerStream *DockerClient::logsAt(const QString &path, bool tty, const QString &what)
{
    auto *stream = new ContainerStream(tty, m_endpoint, this);
    QPointer<ContainerStream> guard(stream);
    whenReady(stream, [this, guard, path, what](const Error &error) {
        if (!guard)
            return;
        if (error.isError()) {
            guard->failBeforeStart(error);
            return;
        }
        HttpRequest request = HttpRequest::get(versioned(path));
        request.stream = true;
        guard->bind(m_http->send(request), what);
    });
    return stream;
}

WaitCall *DockerClient::wait(const QString &id, const QString &condition)
{
    auto *call = new WaitCall(m_endpoint, this);
    QPointer<WaitCall> guard(call);
    whenReady(call, [this, guard, id, condition](const Error &error) {
        if (!guard)
            return;
        if (error.isError()) {
            guard->failBeforeStart(error);
            return;
        }
        HttpRequest request = HttpRequest::post(versioned(
            QStringLiteral("/containers/%1/wait?condition=%2").arg(percentEncoded(id), condition)));
        request.stream = true;
        guard->bind(m_http->send(request), QStringLiteral("Could not wait for the container"));
    });
    return call;
}

JsonStream *DockerClient::jsonStream(HttpRequest request)
{
    auto *stream = new JsonStream(m_endpoint, this);
    QPointer<JsonStream> guard(stream);
    whenReady(stream, [this, guard, request](const Error &error) mutable {
        if (!guard)
            return;
        if (error.isError()) {
            guard->failBeforeStart(error);
            return;
        }
        request.target = versioned(QString::fromUtf8(request.target));
        request.stream = true;
        guard->bind(m_http->send(request), QString());
    });
    return stream;
}

JsonStream *DockerClient::events(const QJsonObject &filters, qint64 since)
{
    QString path = QStringLiteral("/events");
    QStringList query;
    if (since > 0)
        query << QStringLiteral("since=%1").arg(since);
    if (!filters.isEmpty()) {
        query << QStringLiteral("filters=")
                     + percentEncoded(
                         QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)));
    }
    if (!query.isEmpty())
        path += QLatin1Char('?') + query.join(QLatin1Char('&'));
    return jsonStream(HttpRequest::get(path.toUtf8()));
}
