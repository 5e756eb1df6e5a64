export {
  startTcpProxy,
  type StartTcpProxyOptions,
  type TcpProxy,
  type TcpTarget,
} from './start-tcp-proxy.js';
