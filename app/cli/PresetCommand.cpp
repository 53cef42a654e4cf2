#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"

#include "common/Error.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuInventory.h"
#include "launch/ComposeExport.h"
#include "launch/DockerRunExport.h"
#include "launch/FreeGpuPicker.h"
#include "launch/KubernetesDraExport.h"
#include "launch/KubernetesExport.h"
#include "launch/PythonExport.h"
#include "presets/PresetStore.h"

#include <QCommandLineParser>

namespace {

constexpr int kFailed = 1;

// Parses the words after "preset SUB"; on bad usage prints it and returns false.
bool parseArgs(CliContext &ctx, QCommandLineParser &parser, const QString &sub,
               const QStringList &args, int positionals, int *code)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    if (!parser.parse(QStringList{QStringLiteral("gpudeck preset ") + sub} + args)) {
        *code = ctx.usage(QStringLiteral("preset %1: %2").arg(sub, parser.errorText()));
        return false;
    }
    if (parser.positionalArguments().size() != positionals) {
        *code = ctx.usage(QStringLiteral("preset %1 takes %2 argument%3, not %4.")
                              .arg(sub)
                              .arg(positionals)
                              .arg(positionals == 1 ? QString() : QStringLiteral("s"))
                              .arg(parser.positionalArguments().size()));
        return false;
    }
    return true;
}

int list(CliContext &ctx, const PresetStore &store)
{
    for (const PresetStore::Entry &entry : store.list()) {
        if (entry.isBroken()) {
            ctx.out << entry.name << "\tBROKEN\t" << entry.error.message() << '\n';
            continue;
        }
        const LaunchSpec &spec = entry.preset->spec();
        ctx.out << entry.name << '\t' << spec.image << '\t' << spec.gpus.summary() << '\n';
    }
    return 0;
}

int showKubernetes(CliContext &ctx, const LaunchSpec &spec)
{
    // This host's GPUs name the product of picked devices and the count "all" becomes.
    QList<GpuInfo> inventory;
    if (spec.gpus.mode == GpuSelection::Mode::All
        || spec.gpus.mode == GpuSelection::Mode::Devices) {
        GpuInventory reader;
        inventory = reader.readBlocking().gpus;
    }
    const Result<QString> job = KubernetesExport::yaml(spec, inventory);
    if (!job)
        return ctx.fail(job.error(), kFailed);
    ctx.out << job.value();
    return 0;
}

// "N free GPUs" as the GPUs that are free now on the preset's engine's host, so that the
// exported command takes them too (docker has no such request). A host that cannot be read
// leaves docker's count, and stderr says so.
LaunchSpec withFreeGpusPicked(CliContext &ctx, const Preset &preset)
{
    const LaunchSpec &spec = preset.spec();
    if (spec.gpus.mode != GpuSelection::Mode::Free)
        return spec;
    const Result<Endpoint> endpoint = EndpointResolver::resolveForPreset(ctx.host, preset.engine());
    Error why;
    if (!endpoint)
        why = endpoint.error();
    else if (endpoint.value().isRemote())
        why = Error(Error::Code::Unsupported,
                    QStringLiteral("Cannot pick free GPUs of %1").arg(endpoint.value().host),
                    QStringLiteral("an export reads only this machine's GPUs"),
                    QStringLiteral("gpudeck run picks them on that host when it launches"));
    QList<GpuInfo> taken;
    if (!why.isError()) {
        // Nothing is reserved in this process; the spec keeps the preset's own (Docker) terms.
        const Result<LaunchSpec> resolved = FreeGpuPicker::resolveOn(spec, EngineKind::Docker,
                                                                     GpuInventory().readBlocking(),
                                                                     endpoint.value().gpuHostKey(),
                                                                     &taken);
        if (resolved) {
            ctx.err << "gpudeck: " << FreeGpuPicker::describe(taken)
                    << " free now: the command takes " << (taken.size() == 1 ? "it" : "them")
                    << Qt::endl;
            return resolved.value();
        }
        why = resolved.error();
    }
    ctx.err << "gpudeck: " << why.message() << " The command asks for the first " << spec.gpus.count
            << " instead." << Qt::endl;
    return spec;
}

// The engine a Python or Compose export is for, where its GPUs depend on it: Podman before 5.4
// drops the Docker SDK's and docker compose's GPU requests, and the export then says so and gives
// the podman form, as the window's does. An engine that cannot be asked leaves the export as for
// Docker, and stderr says so.
ExportTarget exportTarget(CliContext &ctx, const Preset &preset)
{
    if (!preset.spec().usesGpus())
        return {};
    ExportTarget target;
    Error why;
    const Result<DockerClient *> client = EngineSession::connect(ctx, preset.engine());
    if (!client) {
        why = client.error();
    } else {
        QObject context;
        client.value()->info(&context, [&](const Result<EngineInfo> &info) {
            if (!info)
                why = info.error();
            else if (info.value().isPodman())
                target = ExportTarget::podman(info.value().serverVersion);
            ctx.finish(0);
        });
        ctx.exec();
    }
    if (why.isError())
        ctx.err << "gpudeck: " << why.message()
                << " The export is written for Docker: a Podman before 5.4 would drop its GPUs."
                << Qt::endl;
    return target;
}

int show(CliContext &ctx, const PresetStore &store, const QStringList &args)
{
    QCommandLineParser parser;
    static const QStringList formats = {
        QStringLiteral("json"),          QStringLiteral("docker-run"), QStringLiteral("podman-run"),
        QStringLiteral("python"),        QStringLiteral("compose"),    QStringLiteral("kubernetes"),
        QStringLiteral("kubernetes-dra")};
    parser.addOption({QStringLiteral("format"), formats.join(QStringLiteral(", ")),
                      QStringLiteral("format"), QStringLiteral("json")});
    int code = 0;
    if (!parseArgs(ctx, parser, QStringLiteral("show"), args, 1, &code))
        return code;
    const QString format = parser.value(QStringLiteral("format"));
    if (!formats.contains(format))
        return ctx.usage(QStringLiteral("preset show: unknown format '%1'; use %2.")
                             .arg(format, formats.join(QStringLiteral(", "))));
    const auto preset = store.resolve(parser.positionalArguments().first());
    if (!preset)
        return ctx.fail(preset.error(), kFailed);
    if (format == QLatin1String("json"))
        ctx.out << QString::fromUtf8(preset.value().toFileBytes());
    else if (format == QLatin1String("kubernetes"))
        // the device plugin hands out free GPUs itself
        return showKubernetes(ctx, preset.value().spec());
    else if (format == QLatin1String("kubernetes-dra"))
        // the cluster's scheduler allocates free GPUs itself
        ctx.out << KubernetesDraExport::yaml(preset.value().spec());
    else if (format == QLatin1String("docker-run"))
        ctx.out << DockerRunExport::commandLine(withFreeGpusPicked(ctx, preset.value()), false,
                                                preset.value().engine())
                << '\n';
    else if (format == QLatin1String("podman-run"))
        ctx.out << DockerRunExport::podmanCommandLine(withFreeGpusPicked(ctx, preset.value()),
                                                      false)
                << '\n';
    else if (format == QLatin1String("compose"))
        ctx.out << ComposeExport::yaml(withFreeGpusPicked(ctx, preset.value()),
                                       exportTarget(ctx, preset.value()));
    else
        ctx.out << PythonExport::script(withFreeGpusPicked(ctx, preset.value()), false,
                                        exportTarget(ctx, preset.value()));
    return 0;
}

} // namespace

int presetCommand(CliContext &ctx, const QStringList &args)
{
    if (args.isEmpty())
        return ctx.usage(QStringLiteral(
            "preset needs a subcommand: list, show, import, export, delete or rename."));
    const QString &sub = args.first();
    const QStringList rest = args.mid(1);
    PresetStore store;
    QCommandLineParser parser;
    int code = 0;

    if (sub == QLatin1String("list")) {
        if (!parseArgs(ctx, parser, sub, rest, 0, &code))
            return code;
        return list(ctx, store);
    }
    if (sub == QLatin1String("show"))
        return show(ctx, store, rest);
    if (sub == QLatin1String("import")) {
        parser.addOption({QStringLiteral("name"), QStringLiteral("import under this name"),
                          QStringLiteral("name")});
        if (!parseArgs(ctx, parser, sub, rest, 1, &code))
            return code;
        const auto imported = store.importFile(parser.positionalArguments().first(),
                                               parser.value(QStringLiteral("name")));
        if (!imported)
            return ctx.fail(imported.error(), kFailed);
        ctx.out << "Imported the preset '" << imported.value().name() << "'.\n";
        return 0;
    }
    if (sub == QLatin1String("export")) {
        if (!parseArgs(ctx, parser, sub, rest, 2, &code))
            return code;
        const auto exported = store.exportTo(parser.positionalArguments().at(0),
                                             parser.positionalArguments().at(1));
        return exported ? 0 : ctx.fail(exported.error(), kFailed);
    }
    if (sub == QLatin1String("delete")) {
        if (!parseArgs(ctx, parser, sub, rest, 1, &code))
            return code;
        const auto removed = store.remove(parser.positionalArguments().first());
        return removed ? 0 : ctx.fail(removed.error(), kFailed);
    }
    if (sub == QLatin1String("rename")) {
        if (!parseArgs(ctx, parser, sub, rest, 2, &code))
            return code;
        const auto renamed = store.rename(parser.positionalArguments().at(0),
                                          parser.positionalArguments().at(1));
        return renamed ? 0 : ctx.fail(renamed.error(), kFailed);
    }
    return ctx.usage(
        QStringLiteral("unknown preset subcommand '%1'; use list, show, import, export, "
                       "delete or rename.")
            .arg(sub));
}
