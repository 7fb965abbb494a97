//! The TCP peer of each request, over plain TCP and TLS alike.
//!
//! axum records a connection's address only for its own `TcpListener`; with TLS the listener is
//! ours, so [`Peer`] is recorded for both, and [`expose`] hands it to handlers in the usual
//! `ConnectInfo<SocketAddr>` form (inbound sources' IP allowlists read it).

use std::net::SocketAddr;

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::serve::IncomingStream;
use tokio::net::TcpListener;

use crate::tls::TlsListener;

/// The address of the client end of a connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(SocketAddr);

impl Connected<IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

/// Middleware: makes the connection's [`Peer`] available as `ConnectInfo<SocketAddr>`.
pub(crate) async fn expose(
    ConnectInfo(Peer(addr)): ConnectInfo<Peer>,
    mut request: Request,
    next: Next,
) -> Response {
    request.extensions_mut().insert(ConnectInfo(addr));
    next.run(request).await
}
