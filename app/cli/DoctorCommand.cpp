#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"

#include "doctor/Doctor.h"
#include "engine/DockerClient.h"
#include "gpu/GpuInventory.h"
#include "presets/PresetStore.h"

#include <QCommandLineParser>
#include <QJsonDocument>

int doctorCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("JSON output"));
    parser.addOption(json);
    if (!parser.parse(QStringList{QStringLiteral("doctor")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    if (!parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("'doctor' takes no arguments."));

    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), 1);

    QList<LaunchSpec> presets;
    const QList<PresetStore::Entry> entries = PresetStore().list();
    for (const PresetStore::Entry &entry : entries) {
        if (entry.preset)
            presets.append(entry.preset->spec());
    }

    GpuInventory inventory;
    Doctor doctor(client.value(), &inventory);
    QObject::connect(&doctor, &Doctor::finished, &doctor,
                     [&]() { ctx.finish(doctor.passed() ? 0 : 1); });
    doctor.run(presets);
    const int code = ctx.exec();
    if (parser.isSet(json))
        ctx.out << QJsonDocument(doctor.toJson()).toJson(QJsonDocument::Indented);
    else
        ctx.out << doctor.toText();
    return code;
}
