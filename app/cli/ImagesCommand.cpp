#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"

#include "engine/DockerClient.h"
#include "launch/CudaRequirement.h"

#include <QCommandLineParser>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace {

QString humanSize(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

QString age(const QDateTime &created)
{
    const qint64 seconds = created.secsTo(QDateTime::currentDateTimeUtc());
    if (seconds < 120)
        return QStringLiteral("just now");
    if (seconds < 7200)
        return QStringLiteral("%1 minutes ago").arg(seconds / 60);
    if (seconds < 2 * 86400)
        return QStringLiteral("%1 hours ago").arg(seconds / 3600);
    if (seconds < 60 * 86400)
        return QStringLiteral("%1 days ago").arg(seconds / 86400);
    return QStringLiteral("%1 months ago").arg(seconds / (30 * 86400));
}

} // namespace

int imagesCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("JSON output"));
    parser.addOption(json);
    if (!parser.parse(QStringList{QStringLiteral("images")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    if (!parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("'images' takes no arguments."));

    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), 1);
    QObject context;
    QList<ImageSummary> listed;
    client.value()->images(&context, [&](const Result<QList<ImageSummary>> &result) {
        if (!result) {
            ctx.finish(ctx.fail(result.error(), 1));
            return;
        }
        listed = result.value();
        ctx.finish(0);
    });
    if (const int code = ctx.exec(); code != 0)
        return code;

    // The CUDA each image needs is in its environment, which only an inspect shows: all at once.
    QHash<QString, QString> cuda;
    qsizetype pending = listed.size();
    CliContext inspectCtx;
    for (const ImageSummary &image : std::as_const(listed)) {
        client.value()->inspectImage(
            image.id, &context, [&, id = image.id](const Result<QJsonObject> &inspected) {
                if (inspected)
                    cuda.insert(id, CudaRequirement::fromEnv(
                                        CudaRequirement::imageEnv(inspected.value()))
                                        .neededCuda());
                if (--pending == 0)
                    inspectCtx.finish(0);
            });
    }
    if (pending > 0)
        inspectCtx.exec();

    if (parser.isSet(json)) {
        QJsonArray array;
        for (const ImageSummary &image : listed) {
            array.append(QJsonObject{
                {QStringLiteral("id"), image.id},
                {QStringLiteral("repoTags"), QJsonArray::fromStringList(image.repoTags)},
                {QStringLiteral("name"), image.displayName()},
                {QStringLiteral("size"), double(image.size)},
                {QStringLiteral("created"), image.created.toString(Qt::ISODate)},
                {QStringLiteral("gpuReady"), image.looksGpuReady()},
                {QStringLiteral("cuda"), cuda.value(image.id)},
            });
        }
        ctx.out << QJsonDocument(array).toJson(QJsonDocument::Indented);
    } else {
        ctx.out << QStringLiteral("%1  %2  %3  %4  %5\n")
                       .arg(QStringLiteral("IMAGE"), -40)
                       .arg(QStringLiteral("ID"), -12)
                       .arg(QStringLiteral("SIZE"), 9)
                       .arg(QStringLiteral("CUDA"), -5)
                       .arg(QStringLiteral("CREATED"));
        for (const ImageSummary &image : listed) {
            const QStringList names = image.repoTags.isEmpty() ? QStringList{image.displayName()}
                                                               : image.repoTags;
            for (const QString &name : names) {
                QString id = image.id.mid(image.id.indexOf(QLatin1Char(':')) + 1).left(12);
                const QString needs = cuda.value(image.id);
                ctx.out << QStringLiteral("%1  %2  %3  %4  %5\n")
                               .arg(name, -40)
                               .arg(id, -12)
                               .arg(humanSize(image.size), 9)
                               .arg(needs.isEmpty() ? QStringLiteral("-") : needs, -5)
                               .arg(age(image.created));
            }
        }
    }
    return 0;
}
