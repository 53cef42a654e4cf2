#include "ContainerActions.h"

#include "CliContext.h"
#include "EngineSession.h"

#include <QEventLoop>

namespace ContainerActions {

Error explain(const Error &error, const QString &container, const QString &verb)
{
    if (error.httpStatus() == 404) {
        return Error(Error::Code::Usage, QStringLiteral("Cannot %1 %2").arg(verb, container),
                     QStringLiteral("the engine has no container of that name or ID"),
                     QStringLiteral("`gpudeck ps --all` lists them"));
    }
    return Error(error).withWhat(QStringLiteral("Cannot %1 %2").arg(verb, container));
}

int forEach(CliContext &ctx, const QStringList &containers, const QString &verb,
            const Action &action)
{
    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), 1);
    int code = 0;
    for (const QString &container : containers) {
        QEventLoop loop;
        Result<void> outcome;
        QObject context;
        action(client.value(), container, &context, [&](const Result<void> &result) {
            outcome = result;
            loop.quit();
        });
        loop.exec();
        if (!outcome) {
            // An engine that cannot be reached fails the same way for every name: say it once.
            if (outcome.error().httpStatus() == 0)
                return ctx.fail(outcome.error(), 1);
            ctx.fail(explain(outcome.error(), container, verb), 1);
            code = 1;
            continue;
        }
        ctx.out << container << Qt::endl;
    }
    return code;
}

} // namespace ContainerActions
