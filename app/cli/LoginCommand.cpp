#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"

#include "registry/CredentialStore.h"
#include "registry/RegistryError.h"
#include "registry/RegistryLogin.h"
#include "registry/RegistryName.h"

#include <QCommandLineParser>
#include <QFile>

#include <termios.h>
#include <unistd.h>

namespace {

// A line from the terminal; without echo for a password.
QString prompt(CliContext &ctx, const QString &question, bool secret)
{
    ctx.err << question << Qt::flush;
    termios saved{};
    const bool hide = secret && ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (hide) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    QFile in;
    QString line;
    if (in.open(stdin, QIODevice::ReadOnly))
        line = QString::fromUtf8(in.readLine());
    if (hide) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        ctx.err << Qt::endl;
    }
    while (line.endsWith(QLatin1Char('\n')) || line.endsWith(QLatin1Char('\r')))
        line.chop(1);
    return line;
}

} // namespace

int loginCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption user({QStringLiteral("u"), QStringLiteral("username")},
                                  QStringLiteral("user"), QStringLiteral("USER"));
    const QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
                                           QStringLiteral("read the password from stdin"));
    parser.addOption(user);
    parser.addOption(passwordStdin);
    if (!parser.parse(QStringList{QStringLiteral("login")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    if (parser.positionalArguments().size() > 1)
        return ctx.usage(QStringLiteral("'login' takes at most one registry."));
    const QString server = parser.positionalArguments().value(0);
    const QString host = RegistryName::host(server);
    const QString ngc = RegistryError::loginHint(server);
    const bool interactive = ::isatty(STDIN_FILENO) != 0;

    RegistryCredential credential;
    credential.serverAddress = server;
    credential.username = parser.value(user);
    if (parser.isSet(passwordStdin)) {
        if (credential.username.isEmpty())
            return ctx.usage(QStringLiteral("--password-stdin needs the user as -u USER."));
        QFile in;
        if (in.open(stdin, QIODevice::ReadOnly))
            credential.password = QString::fromUtf8(in.readAll());
        while (credential.password.endsWith(QLatin1Char('\n'))
               || credential.password.endsWith(QLatin1Char('\r')))
            credential.password.chop(1);
    } else {
        if (!interactive)
            return ctx.usage(QStringLiteral(
                "without a terminal, give the password with -u USER --password-stdin."));
        if (!ngc.isEmpty())
            ctx.err << ngc << '.' << Qt::endl;
        if (credential.username.isEmpty())
            credential.username = prompt(ctx, QStringLiteral("Username: "), false);
        credential.password = prompt(ctx, QStringLiteral("Password: "), true);
    }
    if (!ngc.isEmpty() && credential.username != QLatin1String("$oauthtoken") && !interactive)
        ctx.err << "gpudeck: note: " << ngc << '.' << Qt::endl;

    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), 1);
    RegistryLogin login(client.value());
    QObject::connect(&login, &RegistryLogin::finished, &login, [&](const Error &error) {
        if (error.isError()) {
            ctx.finish(ctx.fail(error, 1));
            return;
        }
        if (login.stored().unencrypted)
            ctx.err << "gpudeck: warning: "
                    << CredentialStore::unencryptedWarning(login.stored().where) << Qt::endl;
        ctx.out << "Login Succeeded (" << (server.isEmpty() ? QStringLiteral("Docker Hub") : host)
                << ", stored by " << login.stored().where << ")" << Qt::endl;
        ctx.finish(0);
    });
    login.start(credential);
    return ctx.exec();
}
