// hpa TLS unpinning agent (Frida 17, compiled by analyzer/capture/frida_agent.py with frida.Compiler
// against the npm package frida-java-bridge).
//
// Purpose: let the capture proxy see what an app sends although it pins certificates or ignores the system CA store.
// Targets are the ones listed by public unpinning scripts and the capture notes (shared/reference/capture-notes.md):
//   Java:   SSLContext.init / X509TrustManager, HttpsURLConnection, OkHttp3 CertificatePinner (check, check$okhttp),
//           OkHostnameVerifier, Conscrypt TrustManagerImpl + CertPinManager, NetworkSecurityConfig
//           (NetworkSecurityTrustManager), TrustKit.
//   Native: BoringSSL SSL_CTX_set_custom_verify / SSL_set_custom_verify (Cronet, most native stacks), and the
//           OpenSSL-style SSL_CTX_set_verify / SSL_set_verify, in every module, including ones loaded later.
// Every attempt is reported back (send) so meta.json can say what was and was not unpinned.
import Java from "frida-java-bridge";

interface Report {
  type: "hpa-unpin";
  part: "native" | "java";
  available: boolean;
  hooked: string[];
  missing: string[];
}

const nativeReport: Report = { type: "hpa-unpin", part: "native", available: true, hooked: [], missing: [] };

// ---------------------------------------------------------------- native ---------------------------------------------
// BoringSSL: ssl_verify_result_t callback(SSL *ssl, uint8_t *out_alert); ssl_verify_ok == 0.
const verifyOk = new NativeCallback(() => 0, "int", ["pointer", "pointer"]);
const CUSTOM_VERIFY = ["SSL_CTX_set_custom_verify", "SSL_set_custom_verify"];
const OPENSSL_VERIFY = ["SSL_CTX_set_verify", "SSL_set_verify"];
const hookedAddrs = new Set<string>();

function hookModule(m: Module): void {
  for (const name of CUSTOM_VERIFY) {
    const addr = m.findExportByName(name);
    if (addr === null || hookedAddrs.has(addr.toString())) continue;
    hookedAddrs.add(addr.toString());
    Interceptor.attach(addr, {
      onEnter(args) {
        args[2] = verifyOk; // whatever the app's pinning callback: accept
      },
    });
    nativeReport.hooked.push(`${name}@${m.name}`);
  }
  for (const name of OPENSSL_VERIFY) {
    const addr = m.findExportByName(name);
    if (addr === null || hookedAddrs.has(addr.toString())) continue;
    hookedAddrs.add(addr.toString());
    Interceptor.attach(addr, {
      onEnter(args) {
        args[1] = ptr(0); // SSL_VERIFY_NONE
        args[2] = NULL; // no verify callback
      },
    });
    nativeReport.hooked.push(`${name}@${m.name}`);
  }
}

function hookNative(): void {
  for (const m of Process.enumerateModules()) {
    try {
      hookModule(m);
    } catch (e) {
      nativeReport.missing.push(`${m.name}: ${e}`);
    }
  }
  // libraries loaded after injection (Cronet, Flutter engine...) are hooked as they appear
  Process.attachModuleObserver({
    onAdded(m: Module) {
      const before = nativeReport.hooked.length;
      try {
        hookModule(m);
      } catch (e) {
        return;
      }
      if (nativeReport.hooked.length > before) send({ ...nativeReport, late: m.name });
    },
  });
  if (nativeReport.hooked.length === 0) nativeReport.missing.push("no BoringSSL/OpenSSL verify export loaded yet");
  send(nativeReport);
}

// ---------------------------------------------------------------- Java -----------------------------------------------
function hookJava(): void {
  const report: Report = { type: "hpa-unpin", part: "java", available: Java.available, hooked: [], missing: [] };
  if (!Java.available) {
    report.missing.push("no Java VM in this process");
    send(report);
    return;
  }
  const attempt = (name: string, fn: () => void): void => {
    try {
      fn();
      report.hooked.push(name);
    } catch (e) {
      report.missing.push(name); // class absent from this app: nothing to unpin there
    }
  };
  const noopAll = (cls: string, method: string, ret?: () => unknown): void => {
    const C = Java.use(cls);
    for (const o of C[method].overloads) {
      o.implementation = ret ? function () { return ret(); } : function () { /* accept */ };
    }
  };

  Java.perform(() => {
    const X509TrustManager = Java.use("javax.net.ssl.X509TrustManager");
    const TrustAll = Java.registerClass({
      name: "org.hpa.unpin.TrustAll",
      implements: [X509TrustManager],
      methods: {
        checkClientTrusted(_chain: unknown, _authType: string) { /* accept */ },
        checkServerTrusted(_chain: unknown, _authType: string) { /* accept */ },
        getAcceptedIssuers() { return []; },
      },
    });
    attempt("javax.net.ssl.SSLContext.init", () => {
      const SSLContext = Java.use("javax.net.ssl.SSLContext");
      SSLContext.init.overload("[Ljavax.net.ssl.KeyManager;", "[Ljavax.net.ssl.TrustManager;",
        "java.security.SecureRandom").implementation = function (km: unknown, _tm: unknown, sr: unknown) {
        this.init(km, [TrustAll.$new()], sr);
      };
    });
    attempt("javax.net.ssl.HttpsURLConnection", () => {
      noopAll("javax.net.ssl.HttpsURLConnection", "setDefaultHostnameVerifier");
      noopAll("javax.net.ssl.HttpsURLConnection", "setSSLSocketFactory");
      noopAll("javax.net.ssl.HttpsURLConnection", "setHostnameVerifier");
    });
    attempt("okhttp3.CertificatePinner.check", () => noopAll("okhttp3.CertificatePinner", "check"));
    attempt("okhttp3.CertificatePinner.check$okhttp", () => noopAll("okhttp3.CertificatePinner", "check$okhttp"));
    attempt("okhttp3.internal.tls.OkHostnameVerifier", () =>
      noopAll("okhttp3.internal.tls.OkHostnameVerifier", "verify", () => true));
    attempt("com.android.org.conscrypt.TrustManagerImpl.verifyChain", () => {
      const T = Java.use("com.android.org.conscrypt.TrustManagerImpl");
      for (const o of T.verifyChain.overloads) {
        o.implementation = function (untrusted: unknown) { return untrusted; };
      }
    });
    attempt("com.android.org.conscrypt.TrustManagerImpl.checkTrustedRecursive", () => {
      const T = Java.use("com.android.org.conscrypt.TrustManagerImpl");
      const ArrayList = Java.use("java.util.ArrayList");
      for (const o of T.checkTrustedRecursive.overloads) {
        o.implementation = function () { return ArrayList.$new(); };
      }
    });
    attempt("com.android.org.conscrypt.CertPinManager", () =>
      noopAll("com.android.org.conscrypt.CertPinManager", "isChainValid", () => true));
    attempt("android.security.net.config.NetworkSecurityTrustManager.checkPins", () =>
      noopAll("android.security.net.config.NetworkSecurityTrustManager", "checkPins"));
    attempt("com.datatheorem.android.trustkit.pinning.PinningTrustManager", () =>
      noopAll("com.datatheorem.android.trustkit.pinning.PinningTrustManager", "checkServerTrusted"));
    attempt("com.datatheorem.android.trustkit.pinning.OkHostnameVerifier", () =>
      noopAll("com.datatheorem.android.trustkit.pinning.OkHostnameVerifier", "verify", () => true));
    send(report);
  });
}

hookNative();
hookJava();
