#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"

#include "containers/ContainerLister.h"
#include "engine/DockerClient.h"
#include "fleet/Engine.h"
#include "gpu/GpuInventory.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>

// `gpudeck ps [--all] [--json]`: the engine's containers like docker ps, with the GPUs each holds
// resolved to the host's GPUs (index and UUID). The host's GPUs are read only when a container
// asks for GPUs; when they cannot be read each container shows what it asked for, and JSON's
// gpusResolved is false.
namespace {

QString gpuCell(const ContainerRecord &record, const GpuSnapshot &host)
{
    if (!record.gpus.asksForGpus())
        return QStringLiteral("-");
    bool resolved = false;
    const QList<ContainerGpus::Gpu> held = record.gpus.held(&host, &resolved);
    if (!resolved)
        return record.gpus.request() + QStringLiteral(" (host GPUs unknown)");
    QStringList indexes;
    for (const ContainerGpus::Gpu &gpu : held)
        indexes << QString::number(gpu.index);
    return indexes.join(QLatin1Char(','));
}

void printTable(QTextStream &out, const QList<ContainerRecord> &records, const GpuSnapshot &host)
{
    QList<QStringList> rows{{QStringLiteral("CONTAINER ID"), QStringLiteral("NAME"),
                             QStringLiteral("IMAGE"), QStringLiteral("STATUS"),
                             QStringLiteral("GPUS"), QStringLiteral("PRESET")}};
    for (const ContainerRecord &r : records) {
        rows.append({r.id.left(12), r.name, r.image, r.status.isEmpty() ? r.statusText() : r.status,
                     gpuCell(r, host), r.preset.isEmpty() ? QStringLiteral("-") : r.preset});
    }
    QList<qsizetype> widths(rows.first().size(), 0);
    for (const QStringList &row : std::as_const(rows))
        for (qsizetype c = 0; c < row.size(); ++c)
            widths[c] = qMax(widths[c], row.at(c).size());
    for (const QStringList &row : std::as_const(rows)) {
        QString line;
        for (qsizetype c = 0; c < row.size(); ++c)
            line += row.at(c).leftJustified(widths[c] + 3);
        out << line.trimmed() << '\n';
    }
}

} // namespace

int psCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption all({QStringLiteral("a"), QStringLiteral("all")},
                                 QStringLiteral("stopped containers too"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("JSON output"));
    parser.addOption(all);
    parser.addOption(json);
    if (!parser.parse(QStringList{QStringLiteral("ps")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    if (!parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("'ps' takes no arguments."));

    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), 1);
    QEventLoop loop;
    QObject context;
    Result<QList<ContainerRecord>> listed(Error{});
    ContainerLister::list(client.value(), parser.isSet(all), &context,
                          [&](const Result<QList<ContainerRecord>> &result) {
                              listed = result;
                              loop.quit();
                          });
    loop.exec();
    if (!listed)
        return ctx.fail(listed.error(), 1);

    GpuSnapshot host;
    host.error = Error(Error::Code::NoDriver, QStringLiteral("not read"));
    const bool anyGpus = std::any_of(listed.value().begin(), listed.value().end(),
                                     [](const ContainerRecord &r) { return r.gpus.asksForGpus(); });
    if (anyGpus) {
        GpuInventory inventory;
        inventory.setHost(Engine::gpuHostFor(client.value()));
        host = inventory.readBlocking();
    }

    if (parser.isSet(json)) {
        QJsonArray array;
        for (const ContainerRecord &record : listed.value())
            array.append(record.toJson(&host));
        ctx.out << QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
        return 0;
    }
    printTable(ctx.out, listed.value(), host);
    return 0;
}
