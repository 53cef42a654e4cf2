#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"

#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"
#include "gpu/GpuInventory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

// `gpudeck engines [--json]`: every engine GPU Deck knows (EngineRegistry::known: the default, the
// docker contexts, DOCKER_HOST and --host when set, the engines added in the window), each asked at once and in parallel, with its state, kind and
// version, and its host's GPU count when it can be read. Exit 0 even when some are down: the
// list is the answer.
namespace {

constexpr int kAnswerDeadlineMs = 10000;

struct Row
{
    QString name;
    QString source; // "default", "context", "DOCKER_HOST", "--host", "added"
    bool current = false;
    Result<Endpoint> endpoint = Error();
    std::unique_ptr<DockerClient> client;
    QString state = QStringLiteral("connecting");
    QString reason;
    QString product;
    std::optional<int> gpus;
    bool done = false;
};

QString endpointText(const Row &row)
{
    return row.endpoint ? row.endpoint.value().url : QString();
}

} // namespace

int enginesCommand(CliContext &ctx, const QStringList &args)
{
    bool json = false;
    for (const QString &a : args) {
        if (a == QLatin1String("--json"))
            json = true;
        else
            return ctx.usage(QStringLiteral("engines: unknown option \"%1\"").arg(a));
    }

    std::vector<Row> rows;
    const QList<EngineRegistry::Entry> known = EngineRegistry::known(ctx.host,
                                                                     EngineRegistry::addedUrls());
    for (const EngineRegistry::Entry &entry : known) {
        Row row;
        row.name = entry.name;
        row.source = entry.source;
        row.current = entry.current;
        row.endpoint = entry.endpoint;
        rows.push_back(std::move(row));
    }

    // Every engine at once; a dead or slow one runs into its own deadline.
    int pending = 0;
    QObject calls;
    const auto settle = [&](Row &row) {
        if (row.done)
            return;
        row.done = true;
        if (--pending == 0)
            ctx.finish(0);
    };
    for (Row &row : rows) {
        if (!row.endpoint) {
            row.state = QStringLiteral("invalid");
            row.reason = row.endpoint.error().message();
            row.done = true;
            continue;
        }
        ++pending;
        row.client = std::make_unique<DockerClient>(row.endpoint.value());
        Row *r = &row;
        row.client->info(&calls, [r, &settle](const Result<EngineInfo> &info) {
            if (r->done)
                return;
            if (!info) {
                r->state = QStringLiteral("down");
                r->reason = info.error().message();
            } else {
                r->state = QStringLiteral("connected");
                r->product = info.value().productName();
            }
            settle(*r);
        });
        QTimer::singleShot(kAnswerDeadlineMs, &calls, [r, &settle]() {
            if (r->done)
                return;
            r->state = QStringLiteral("down");
            r->reason = QStringLiteral("no answer within %1 s").arg(kAnswerDeadlineMs / 1000);
            settle(*r);
        });
    }
    if (pending > 0)
        ctx.exec();

    // The GPUs of each connected engine's host: this machine once, the others as `gpus` reads them.
    std::optional<GpuSnapshot> local;
    for (Row &row : rows) {
        if (row.state != QLatin1String("connected"))
            continue;
        const Endpoint &endpoint = row.endpoint.value();
        GpuSnapshot snapshot;
        if (endpoint.isRemote()) {
            GpuInventory host;
            host.setHost(Engine::gpuHostFor(row.client.get()));
            snapshot = host.readBlocking();
        } else {
            if (!local)
                local = GpuInventory().readBlocking();
            snapshot = *local;
        }
        if (snapshot.ok())
            row.gpus = int(snapshot.gpus.size());
    }

    if (json) {
        QJsonArray array;
        for (const Row &row : rows) {
            QJsonObject o{{QStringLiteral("name"), row.name},
                          {QStringLiteral("endpoint"), endpointText(row)},
                          {QStringLiteral("source"), row.source},
                          {QStringLiteral("current"), row.current},
                          {QStringLiteral("state"), row.state},
                          {QStringLiteral("engine"),
                           row.product.isEmpty() ? QJsonValue() : QJsonValue(row.product)},
                          {QStringLiteral("gpus"),
                           row.gpus ? QJsonValue(*row.gpus) : QJsonValue()}};
            if (!row.reason.isEmpty())
                o.insert(QStringLiteral("reason"), row.reason);
            if (row.endpoint && row.endpoint.value().isInsecure())
                o.insert(QStringLiteral("warning"), row.endpoint.value().insecurityWarning());
            array.append(o);
        }
        ctx.out << QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
        return 0;
    }
    for (const Row &row : rows) {
        ctx.out << (row.current ? "* " : "  ") << row.name << "  " << endpointText(row) << "  ("
                << row.source << ")  " << row.state;
        if (!row.product.isEmpty())
            ctx.out << "  " << row.product;
        if (row.gpus)
            ctx.out << "  " << *row.gpus << (*row.gpus == 1 ? " GPU" : " GPUs");
        ctx.out << '\n';
        if (!row.reason.isEmpty())
            ctx.out << "    " << row.reason << '\n';
    }
    return 0;
}
